"""Settings for the live site (``make publish``): absolute URLs."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "https://events.thameside.example")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
