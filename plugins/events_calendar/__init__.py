"""The events calendar: a Pelican plugin that turns event files into pages and feeds."""

from .plugin import register

__all__ = ["register"]
