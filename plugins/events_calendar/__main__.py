"""``python -m events_calendar`` is the check."""

import sys

from .check import main

sys.exit(main())
