"""Turn the Markdown below an event's front matter into safe HTML."""

from __future__ import annotations

import markdown
import nh3

# Bodies sit under the page's own "About this event" heading (an h2), so an editor's "## Menu"
# becomes an h3 and the page's heading outline stays in order (WCAG 1.3.1).
_EXTENSIONS = ["extra", "sane_lists", "toc"]
_EXTENSION_CONFIGS = {"toc": {"baselevel": 2, "permalink": False}}

# Editors may write raw HTML in Markdown; anyone can open a pull request, so what reaches a
# page is cleaned by a maintained sanitiser (ammonia, through nh3): no scripts, no event
# handlers, no javascript: links, no iframes.
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


def render(text: str) -> str:
    """Render an event or series body to sanitised HTML."""
    html = _CONVERTER.reset().convert(text)
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer").strip()
