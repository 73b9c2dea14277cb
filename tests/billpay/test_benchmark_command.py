"""`manage.py benchmark` runs end to end on a small company and writes the JSON it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Its own throw-away SQLite databases, whatever engine this test session runs on: on
    # PostgreSQL its test database would share a name with this session's.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SANDBOX_DATABASE_URL")}
    env["BILLPAY_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "manage.py", "benchmark", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_import_and_inbox_write_their_figures(tmp_path):
    out = tmp_path / "bench.json"
    result = run_benchmark(
        tmp_path, "--only", "import", "inbox", "--bills", "200", "--requests", "3",
        "--rounds", "2", "--json", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["engine"] == "sqlite"
    imported = figures["import"]
    assert imported["bills"] == 200
    assert imported["rounds"] == 2
    assert imported["seconds"] > 0
    assert imported["floor_seconds"] > 0
    assert set(imported["peak_mb"]) == {"200"}
    for case in ("page1", "filtered", "search", "page100"):
        inbox = figures["inbox"][case]
        assert inbox["median_ms"] > 0
        assert inbox["floor_median_ms"] > 0
        assert 0 < inbox["queries"] <= 10


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--bills", "10"), "--bills must be at least 100"), (("--rounds", "0"), "--rounds")],
)
def test_bad_options_are_refused(tmp_path, args, message):
    result = run_benchmark(tmp_path, *args)
    assert result.returncode != 0
    assert message in result.stderr
