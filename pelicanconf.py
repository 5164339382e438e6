"""Settings for building the calendar locally (``make html``). See publishconf.py for the live site."""

AUTHOR = "Thameside Council Equality and Inclusion Team"
SITENAME = "Thameside equality and inclusion calendar"
SITEURL = ""

PATH = "content"
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"

THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["events_calendar"]

# Events and series are read by the events_calendar plugin, not as Pelican articles; the only
# Pelican content is the pages in content/pages.
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# The calendar writes its own home page and lists; Pelican's blog pages have no place here.
DIRECT_TEMPLATES = []
INDEX_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARTICLE_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# Escape every value in every template unless it is marked safe (bodies are sanitised first).
# Pelican makes a new template environment for every build (make devserver's included), so
# Jinja need not check each template file's time whenever a page imports a component: with
# 10,000 event pages, that was a second of the build.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True,
                     "auto_reload": False}

# Same input, same output: no cache or timestamps leak into what is published. (The calendar
# keeps its own content-addressed cache in CACHE_PATH; see plugins/events_calendar/build_cache.py.)
LOAD_CONTENT_CACHE = False
CACHE_PATH = ".cache"
RELATIVE_URLS = False

# Calendar settings (every EVENTS_ setting and its default is in
# plugins/events_calendar/settings.py).
EVENTS_UID_DOMAIN = "events.thameside.example"
