"""A strict lint of published iCalendar bytes (RFC 5545), written for this project's tests.

Lenient parsers (including the library that writes our feeds) accept files that Outlook, Google
or Apple then mishandle, so this reads the raw bytes line by line and refuses: bare LF endings,
lines over 75 octets or folded inside a character, unescaped TEXT, DTSTAMP not in UTC, floating
times, a TZID with no VTIMEZONE (or one that starts after the event), an all-day DTEND not after
DTSTART, and EXDATE of another value type than DTSTART.
"""

from __future__ import annotations

import re

TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME",
                   "X-WR-CALNAME", "X-WR-CALDESC"}
LIST_TEXT_PROPERTIES = {"CATEGORIES"}  # commas separate values here
UTC_PROPERTIES = {"DTSTAMP", "LAST-MODIFIED", "CREATED"}
TIME_PROPERTIES = {"DTSTART", "DTEND", "EXDATE", "RDATE", "RECURRENCE-ID"}
_BAD_ESCAPE = re.compile(r"\\(?![\\;,nN])")


def content_lines(data: bytes) -> tuple[list[tuple[int, str]], list[str]]:
    """Unfold the file into (line number, content line), checking the raw form on the way."""
    errors = []
    if not data.endswith(b"\r\n"):
        errors.append("the file does not end with CRLF")
    physical = data.split(b"\r\n")
    if physical and physical[-1] == b"":
        physical.pop()
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(physical, start=1):
        if b"\n" in raw or b"\r" in raw:
            errors.append(f"line {number}: bare LF or CR (RFC 5545 3.1 needs CRLF)")
        if len(raw) > 75:
            errors.append(f"line {number}: {len(raw)} octets, more than 75 (not folded)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(f"line {number}: not UTF-8, or folded inside a character")
            continue
        if text[:1] in (" ", "\t"):
            if not lines:
                errors.append(f"line {number}: continuation with nothing to continue")
                continue
            lines[-1] = (lines[-1][0], lines[-1][1] + text[1:])
        else:
            lines.append((number, text))
    return lines, errors


def split_line(line: str) -> tuple[str, dict[str, str], str]:
    """Name, parameters and value of a content line (the first ':' outside quotes ends the name)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:index], line[index + 1:]
            break
    else:
        return line.upper(), {}, ""
    name, *params = re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', head)
    parameters = {}
    for param in params:
        key, _, param_value = param.partition("=")
        parameters[key.upper()] = param_value.strip('"')
    return name.upper(), parameters, value


def lint(data: bytes) -> list[str]:
    lines, errors = content_lines(data)
    stack: list[str] = []
    tzids_defined: dict[str, str] = {}  # TZID -> earliest DTSTART of its observances
    current_tz: str | None = None
    events: list[dict] = []
    event: dict | None = None
    calendar_props: dict[str, int] = {}
    for number, line in lines:
        name, params, value = split_line(line)
        where = f"line {number} ({name})"
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                event = {"line": number, "props": {}}
            continue
        if name == "END":
            if not stack or stack.pop() != value:
                errors.append(f"{where}: END:{value} does not close the open component")
            if value == "VEVENT" and event is not None:
                events.append(event)
                event = None
            if value == "VTIMEZONE":
                current_tz = None
            continue
        if stack == ["VCALENDAR"]:
            calendar_props[name] = calendar_props.get(name, 0) + 1
        if name in TEXT_PROPERTIES | LIST_TEXT_PROPERTIES:
            separators = ";" if name in LIST_TEXT_PROPERTIES else ";,"
            unescaped = re.search(rf"(?<!\\)(?:\\\\)*[{separators}]", value)
            if unescaped:
                errors.append(f"{where}: unescaped '{unescaped.group()[-1]}' in a TEXT value")
            if _BAD_ESCAPE.search(value):
                errors.append(f"{where}: a backslash that escapes nothing")
        if any(ord(char) < 32 and char != "\t" for char in value):
            errors.append(f"{where}: a control character in the value")
        if stack and stack[-1] == "VTIMEZONE" and name == "TZID":
            current_tz = value
            tzids_defined.setdefault(value, "99999999T999999")
        if stack and stack[-1] in ("STANDARD", "DAYLIGHT") and name == "DTSTART" and current_tz:
            tzids_defined[current_tz] = min(tzids_defined[current_tz], value)
        if event is not None and len(stack) and stack[-1] == "VEVENT":
            event["props"].setdefault(name, []).append((number, params, value))
            if name in UTC_PROPERTIES and not re.fullmatch(r"\d{8}T\d{6}Z", value):
                errors.append(f"{where}: {value!r} is not a UTC date-time")
    if stack:
        errors.append(f"components never closed: {stack}")
    if calendar_props.get("VERSION") != 1 or calendar_props.get("PRODID") != 1:
        errors.append("VCALENDAR: VERSION and PRODID must each appear once")
    uids = set()
    for event in events:
        errors += _event_errors(event, tzids_defined, uids)
    return errors


def _event_errors(event: dict, tzids: dict[str, str], uids: set[str]) -> list[str]:
    props = event["props"]
    where = f"VEVENT at line {event['line']}"
    errors = [f"{where}: no {name}" for name in ("UID", "DTSTAMP", "DTSTART") if name not in props]
    if "UID" in props:
        uid = props["UID"][0][2]
        if uid in uids and "RECURRENCE-ID" not in props:
            errors.append(f"{where}: UID {uid} appears twice")
        uids.add(uid)
    kinds = {}
    for name in TIME_PROPERTIES & props.keys():
        for number, params, value in props[name]:
            for item in value.split(","):
                is_date = params.get("VALUE") == "DATE"
                if is_date and not re.fullmatch(r"\d{8}", item):
                    errors.append(f"line {number}: {name} {item!r} is not a DATE")
                elif not is_date:
                    if not re.fullmatch(r"\d{8}T\d{6}Z?", item):
                        errors.append(f"line {number}: {name} {item!r} is not a DATE-TIME")
                    elif not item.endswith("Z") and "TZID" not in params:
                        errors.append(f"line {number}: {name} {item!r} is a floating time")
                    elif "TZID" in params:
                        if params["TZID"] not in tzids:
                            errors.append(f"line {number}: TZID {params['TZID']} has no VTIMEZONE")
                        elif tzids[params["TZID"]] > item:
                            errors.append(f"line {number}: the VTIMEZONE of {params['TZID']} "
                                          f"starts after {item}")
                kinds.setdefault(name, set()).add("date" if is_date else "date-time")
    start_kind = kinds.get("DTSTART", set())
    for name in ("DTEND", "EXDATE", "RDATE"):
        if name in kinds and kinds[name] != start_kind:
            errors.append(f"{where}: {name} is not of DTSTART's value type")
    if "DTSTART" in props and "DTEND" in props and start_kind == {"date"}:
        if props["DTEND"][0][2] <= props["DTSTART"][0][2]:
            errors.append(f"{where}: all-day DTEND must be after DTSTART (the end is exclusive)")
    return errors
