"""Turn the Markdown below an event's front matter into safe HTML."""

from __future__ import annotations

from urllib.parse import urlsplit

import markdown
import nh3

# Bodies sit under the page's own "About this event" heading (an h2), so an editor's "## Menu"
# becomes an h3 and the page's heading outline stays in order (WCAG 1.3.1).
_EXTENSIONS = ["extra", "sane_lists", "toc"]
_EXTENSION_CONFIGS = {"toc": {"baselevel": 2, "permalink": False}}

# Editors may write raw HTML in Markdown; anyone can open a pull request, so what reaches a
# page is cleaned by a maintained sanitiser (ammonia, through nh3): no scripts, no event
# handlers, no javascript: links, images only from this site, and no iframes unless the site
# names the hosts it allows (EVENTS_EMBED_HOSTS).
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "img",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}


# One converter, reset before each body: making a new one loads every extension again.
_CONVERTER = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS,
                               output_format="html")


_IFRAME_ATTRIBUTES = {"src", "title", "width", "height", "allow", "allowfullscreen", "loading",
                      "referrerpolicy"}
# Hosts whose pages may be embedded (set from EVENTS_EMBED_HOSTS by the plugin before any body
# is rendered; forked workers inherit it). Empty: no iframes at all.
EMBED_HOSTS: tuple[str, ...] = ()


def configure(embed_hosts) -> None:
    global EMBED_HOSTS
    EMBED_HOSTS = tuple(sorted(str(host).lower() for host in embed_hosts or ()))


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src" and tag == "img":
        # The site's own images only: another site's would see who visits, and the Content
        # Security Policy blocks it anyway.
        parts = urlsplit(value)
        return None if parts.scheme or parts.netloc or ".." in parts.path.split("/") else value
    if attribute == "src" and tag == "iframe":
        parts = urlsplit(value)
        return value if parts.scheme == "https" and parts.hostname in EMBED_HOSTS else None
    return value


def render(text: str) -> str:
    """Render an event or series body to sanitised HTML."""
    html = _CONVERTER.reset().convert(text)
    tags, attributes = _ALLOWED_TAGS, _ALLOWED_ATTRIBUTES
    if EMBED_HOSTS:
        tags, attributes = tags | {"iframe"}, {**attributes, "iframe": _IFRAME_ATTRIBUTES}
    return nh3.clean(html, tags=tags, attributes=attributes, attribute_filter=_keep_attribute,
                     url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer").strip()
