"""Settings for the live site (``make publish``): absolute URLs."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "https://events.thameside.example").rstrip("/")
# Feeds, calendar files and canonical links use the address the site is published at.
EVENTS_SITE_URL = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
