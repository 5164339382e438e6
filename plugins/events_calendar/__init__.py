"""The events calendar: a Pelican plugin that turns event files into pages and feeds."""


def register() -> None:
    """Connect the calendar to Pelican (imported here, so that `make check` need not load Pelican)."""
    from .plugin import register as connect

    connect()


__all__ = ["register"]
