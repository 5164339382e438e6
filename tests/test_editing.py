"""The editors' workflow: the scaffold, the inclusive language check, the subscriber diff and
the JSON Schema of front matter."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, SETTINGS, TODAY
from events_calendar import inclusive_language, new_event, schema
from events_calendar.access_features import VOCABULARY
from events_calendar.frontmatter import read_source
from events_calendar.loading import load_content

ENV = {**os.environ, "EVENTS_TODAY": "2026-11-24", "PYTHONPATH": str(ROOT / "plugins")}


@pytest.fixture
def site_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the sample content, with the real settings, as an editor's checkout has."""
    monkeypatch.setenv("EVENTS_TODAY", "2026-11-24")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    monkeypatch.chdir(tmp_path)
    return content


def scaffold(content: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run the scaffold's command line in-process, answering its questions from ``stdin``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = new_event.main(["--content", str(content), "--settings",
                               str(ROOT / "pelicanconf.py"), *args], io.StringIO(stdin), out)
    return code, out.getvalue(), err.getvalue()


# --- the scaffold --------------------------------------------------------------------------

def test_scaffold_with_options_writes_a_valid_commented_file(site_copy):
    code, out, err = scaffold(site_copy, "--title", "Film night: Pride", "--start",
                              "2027-03-05 19:00", "--end", "2027-03-05 21:00", "--series",
                              "lgbt-history-month", "--location", "Thameside Library",
                              "--accessibility", "step-free, bsl", "--cost", "Free")
    assert code == 0, err
    path = site_copy / "events" / "2027" / "film-night-pride.md"
    assert f"Wrote {path.relative_to(site_copy.parent)}" in out or str(path) in out
    text = path.read_text()
    for field in ("summary", "online", "booking", "organiser", "image_alt", "status", "repeat"):
        assert f"# {field}:" in text  # every field is there, explained, ready to use
    loaded = load_content(site_copy, SETTINGS, TODAY)
    assert loaded.problems == []
    [event] = [e for e in loaded.events if e.slug == "film-night-pride"]
    assert event.title == "Film night: Pride" and event.series[0].slug == "lgbt-history-month"
    assert [f.slug for f in event.access_features] == ["step-free", "bsl"]
    assert event.uid.startswith("film-night-pride-") and event.uid.endswith("@events.thameside.example")


def test_scaffold_gives_each_new_file_its_own_name_and_uid(site_copy):
    for _ in range(2):
        assert scaffold(site_copy, "--title", "Coffee morning", "--start", "2027-01-09")[0] == 0
    paths = sorted((site_copy / "events" / "2027").glob("coffee-morning*.md"))
    assert [p.name for p in paths] == ["coffee-morning-2.md", "coffee-morning.md"]
    uids = {read_source(p, str(p))[0].fields["uid"] for p in paths}
    assert len(uids) == 2


def test_scaffold_refuses_a_mistake_and_writes_nothing(site_copy):
    code, _, err = scaffold(site_copy, "--title", "Talk", "--start", "2027-02-30 19:00",
                            "--series", "no-such-series")
    assert code == 1
    assert ": start: '2027-02-30 19:00' is not a real date" in err
    assert ": series: 'no-such-series' is not a series" in err
    assert "No file was written." in err
    assert not (site_copy / "events" / "2027" / "talk.md").exists()


def test_scaffold_asks_question_by_question_and_asks_again_after_a_mistake(site_copy):
    answers = "\n".join(["Winter walk", "2026-12-19 25:00", "2026-12-19 10:00",
                         "2026-12-19 12:00", "", "A gentle walk.", "", "walk", "Riverside Park",
                         "", "step-free, ramps", "seating", "", "Free", "", ""]) + "\n"
    code, out, err = scaffold(site_copy, stdin=answers)
    assert code == 0, err
    assert "is not a real time of day" in out  # the wrong start was explained, then asked again
    assert "'ramps' is not in the access vocabulary" in out
    [event] = [e for e in load_content(site_copy, SETTINGS, TODAY).events if e.slug == "winter-walk"]
    assert event.start.hour == 10 and event.summary == "A gentle walk."
    assert [f.slug for f in event.access_features] == ["seating"]


def test_make_new_event_then_check_then_html_publishes_it(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    output = tmp_path / "output"

    def make(*args):
        return subprocess.run(["make", "--no-print-directory", *args, f"INPUTDIR={content}"],
                              cwd=ROOT, capture_output=True, text=True, env=ENV)

    created = make("new-event", "TITLE=Poetry evening", "START=2027-04-08 19:00",
                   "END=2027-04-08 21:00", "SERIES=south-asian-heritage-month",
                   "LOCATION=Thameside Library")
    assert created.returncode == 0, created.stderr
    assert (content / "events" / "2027" / "poetry-evening.md").is_file()
    checked = make("check")
    assert checked.returncode == 0, checked.stderr
    built = make("html", f"OUTPUTDIR={output}")
    assert built.returncode == 0, built.stderr
    page = BeautifulSoup((output / "events" / "poetry-evening" / "index.html").read_text(),
                         "html.parser")
    assert page.h1.get_text(strip=True) == "Poetry evening"
    assert "Thursday 8 April 2027, 7pm to 9pm" in " ".join(page.get_text(" ").split())


# --- the inclusive language check ----------------------------------------------------------

GUIDE = inclusive_language.load_guide(ROOT / "content" / inclusive_language.GUIDE_FILE)[0]


def findings(text: str) -> list[tuple[str, str]]:
    return [(f.severity, f.message.split("'")[1])
            for f in inclusive_language.check_text(GUIDE, text, "x.md", "summary", 1)]


@pytest.mark.parametrize("text, expected", [
    ("A BAME-led project", [("error", "BAME")]),
    ("For bme communities", [("error", "bme")]),
    ("Support for the disabled.", [("error", "the disabled")]),
    ("A wheelchair bound visitor", [("error", "wheelchair bound")]),
    ("She suffers from arthritis", [("warning", "suffers from")]),
    ("Talks about homosexuals in history", [("error", "homosexuals")]),
    ("So-called illegal immigrants", [("error", "illegal immigrants")]),
    ("Music from Bamenda, Cameroon", []),  # BAME inside a word is not the term
    ("The Disabled People's Forum", []),  # an adjective, not "the disabled" as a noun
    ("Disabled people lead this event", []),
    ("Wheelchair users welcome", []),
])
def test_inclusive_language_hits_and_misses(text, expected):
    assert findings(text) == expected


def test_language_findings_name_the_line_and_the_wording_to_use(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small", content)
    (content / "events" / "bame.md").write_text(textwrap.dedent("""\
        ---
        title: BAME history talk
        start: 2026-12-10 18:00
        ---
        First line.

        Someone who suffers from long covid.
        """))
    source, _ = read_source(content / "events" / "bame.md", "bame.md")
    [title, body] = inclusive_language.check_source(GUIDE, source)
    assert (title.line, title.field, title.severity) == (2, "title", "error")
    assert "write name the communities you mean" in str(title)
    assert (body.line, body.field, body.severity) == (7, "description", "warning")
    assert str(body).startswith("bame.md:7: description: warning: 'suffers from'")


def run_check(content: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "events_calendar.check", str(content),
         "--settings", str(ROOT / "pelicanconf.py"), "--no-diff", *args],
        capture_output=True, text=True, env=ENV)
    return result.returncode, result.stderr + result.stdout


def test_check_passes_with_warnings_and_fails_with_errors(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small", content)
    shutil.copy(ROOT / "content" / inclusive_language.GUIDE_FILE, content)
    warn = content / "events" / "warn.md"
    warn.write_text("---\ntitle: Talk\nstart: 2026-12-10\n---\nHe suffers from gout.\n")
    code, output = run_check(content)
    assert code == 0 and "0 errors and 1 warning in 1 file" in output
    (content / "events" / "error.md").write_text("---\ntitle: BAME talk\nstart: 2026-12-10\n---\n")
    code, output = run_check(content)
    assert code == 1 and "1 error and 1 warning in 2 files" in output
    # --files reports only what is in the given files (pre-commit passes the changed ones).
    code, output = run_check(content, "--files", str(warn))
    assert code == 0 and "error.md" not in output


def test_editors_extend_the_guide_without_code(tmp_path):
    guide = tmp_path / "guide.yaml"
    guide.write_text("- term: service user\n  also: [service users]\n  level: warning\n"
                     "  why: people are more than a service\n  instead: residents\n")
    terms, problems = inclusive_language.load_guide(guide)
    assert problems == []
    [found] = inclusive_language.check_text(terms, "For Service Users", "x.md", "title", 3)
    assert "write residents instead" in str(found) and found.severity == "warning"


# --- the subscriber diff, over real commits ----------------------------------------------

def git(repo: Path, *args: str) -> None:
    env = {**ENV, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "e@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "e@example.org"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def event_file(repo: Path, name: str, body: str) -> None:
    path = repo / "content" / "events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{textwrap.dedent(body).strip()}\n---\nAbout.\n")


def test_subscriber_diff_reports_each_kind_of_change(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small" / "series", repo / "content" / "series")
    git(repo, "init", "-q", "-b", "main")
    event_file(repo, "talk.md", "title: Talk\nstart: 2026-12-10 18:00\nuid: talk@t")
    event_file(repo, "walk.md", "title: Walk\nstart: 2026-12-12 10:00\nlocation: Park\nuid: walk@t")
    event_file(repo, "film.md", "title: Film\nstart: 2026-12-14 19:00\nuid: film@t")
    event_file(repo, "gone.md", "title: Gone\nstart: 2027-01-10\nuid: gone@t")
    event_file(repo, "renamed.md", "title: Quiz\nstart: 2027-01-12 19:00\nuid: quiz@t")
    event_file(repo, "old.md", "title: Old fair\nstart: 2025-06-01\nuid: old@t")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "edits")
    event_file(repo, "talk.md", "title: Talk\nstart: 2026-12-11 18:00\nuid: talk@t")
    event_file(repo, "walk.md", "title: Walk\nstart: 2026-12-12 10:00\nlocation: Town Hall\nuid: walk@t")
    event_file(repo, "film.md", "title: Film\nstart: 2026-12-14 19:00\nstatus: cancelled\nuid: film@t")
    (repo / "content" / "events" / "gone.md").unlink()
    (repo / "content" / "events" / "old.md").unlink()
    event_file(repo, "renamed.md", "title: Quiz\nstart: 2027-01-12 19:00\nuid: quiz-2@t")
    event_file(repo, "new.md", "title: New choir\nstart: 2027-02-01 19:00\nuid: choir@t")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "edits")

    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "events_calendar.subscriber_diff",
         "content", "--settings", str(ROOT / "pelicanconf.py")],
        cwd=repo, capture_output=True, text=True, env=ENV)
    assert result.returncode == 1, result.stderr  # uid errors fail the diff
    report = result.stdout

    def section(title: str) -> str:
        return report.split(f"### {title}")[1].split("\n### ")[0]

    assert "**New choir**: Monday 1 February 2027, 7pm" in section("Added (1)")
    assert "**Film**: scheduled → **cancelled**" in section("Cancelled, postponed or rescheduled (1)")
    assert ("**Talk**: Thursday 10 December 2026, 6pm → **Friday 11 December 2026, 6pm**"
            in section("Moved in time (1)"))
    assert "**Walk**: Park → **Town Hall**" in section("Moved in place (1)")
    errors = section("Errors: fix these before merging (2)")
    assert "uid changed from `quiz@t` to `quiz-2@t`" in errors and "Put back `uid: quiz@t`" in errors
    assert "**Gone**" in errors and "status: cancelled" in errors
    assert "**Old fair**" in section("Dropped from the archive (1)")
    # The check turns the same errors into findings.
    code, output = run_check(repo / "content", "--base", "main")
    assert code == 0  # --no-diff is set by run_check: the language and file checks pass
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "events_calendar.check", "content",
         "--settings", str(ROOT / "pelicanconf.py")], cwd=repo, capture_output=True, text=True,
        env=ENV)
    assert result.returncode == 1
    assert "content/events/renamed.md:1: uid: changed from 'quiz@t' to 'quiz-2@t'" in result.stderr
    assert "content/events/gone.md:1: file: was removed" in result.stderr


def test_subscriber_diff_with_no_changes(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small", repo / "content")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "events_calendar.subscriber_diff",
         "content", "--settings", str(ROOT / "pelicanconf.py")],
        cwd=repo, capture_output=True, text=True, env=ENV)
    assert result.returncode == 0 and "No changes that subscribers will see." in result.stdout


# --- the JSON Schema ------------------------------------------------------------------------

def test_schema_is_the_source_of_the_checks_lists():
    event_schema = schema.load("event")
    jsonschema.Draft202012Validator.check_schema(event_schema)
    jsonschema.Draft202012Validator.check_schema(schema.load("series"))
    assert set(VOCABULARY) >= {"step-free", "accessible-toilet", "hearing-loop", "bsl",
                               "captions", "quiet-space"}
    assert [t["const"] for t in schema.access_vocabulary()] == list(VOCABULARY)
    assert event_schema["required"] == ["title", "start"]


def test_every_sample_file_matches_the_schema():
    validators = {kind: jsonschema.Draft202012Validator(schema.load(kind))
                  for kind in ("event", "series")}
    files = [("event", p) for p in (ROOT / "content" / "events").rglob("*.md")]
    files += [("series", p) for p in (ROOT / "content" / "series").glob("*.md")]
    assert len(files) > 40
    for kind, path in files:
        source, problems = read_source(path, str(path))
        assert problems == []
        errors = list(validators[kind].iter_errors(source.fields))
        assert errors == [], (path, [e.message for e in errors])


@pytest.mark.parametrize("fields", [
    {"start": "2026-12-01"},
    {"title": "A", "start": "2026-12-01", "locaton": "Hall"},
    {"title": "A", "start": "2026-12-01", "status": "maybe"},
    {"title": "A", "start": "2026-12-01", "accessibility": ["ramp"]},
    {"title": "A", "start": "2026-12-01", "online": "http://meet.example/"},
    {"title": "A", "start": "2026-12-01", "image": "https://i.example/a.png"},
    {"title": "A", "start": "18:00"},
])
def test_schema_rejects_what_the_checks_reject(fields):
    assert list(jsonschema.Draft202012Validator(schema.load("event")).iter_errors(fields))
