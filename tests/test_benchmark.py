"""The benchmark runs (on a small set: it is a benchmark, not a timed test)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_runs_and_reports(tmp_path):
    report = tmp_path / "benchmarks.md"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes",
                             "20", "--runs", "1", "--output", str(report)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    assert "Machine: " in text and "baseline (plain Pelican)" in text
    [row] = [line for line in text.splitlines() if line.startswith("| 20 |")][:1]
    numbers = re.findall(r"(\d+(?:\.\d+)?) s", row)
    assert len(numbers) >= 5 and all(float(n) > 0 for n in numbers[:3]), row
    assert "event page, HTML + CSS gzipped" in text
    # The report can be written again from its own figures (after editing the notes).
    report.write_text(text.replace("| 20 |", "| edited |"))
    again = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--report-only",
                            "--output", str(report)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert report.read_text() == text
