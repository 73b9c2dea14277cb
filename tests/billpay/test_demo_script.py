"""scripts/demo, run for real: what a person needs (the URL, the admin login, where the logs are) is
the last thing it prints, and Celery's banners and warnings go to files under var/log/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
DEMO = REPO / "scripts" / "demo"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> tuple[int, Path]:
    if not (REPO / ".venv" / "bin" / "celery").exists():
        pytest.skip("scripts/demo runs billpay's .venv; scripts/test creates it")
    return _free_port(), tmp_path / "var"


def test_the_login_url_and_logs_come_last(demo: tuple[int, Path], tmp_path: Path) -> None:
    port, var = demo
    # A clean environment: the demo's embedded defaults, not the test run's databases or broker.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "CELERY", "SANDBOX"))
    }
    env.update(PORT=str(port), BILLPAY_VAR_DIR=str(var), DEBUG="1")
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [str(DEMO)], cwd=REPO, env=env, stdout=stdout, stderr=stderr, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops" not in out.read_text():
            assert process.poll() is None, f"scripts/demo stopped:\n{err.read_text()}"
            assert time.monotonic() < deadline, f"no summary:\n{out.read_text()}"
            time.sleep(0.25)
        time.sleep(3)  # whatever the worker and beat print in their first seconds
        printed = out.read_text() + err.read_text()
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, to the whole process group
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            left = subprocess.run(
                ["ps", "-o", "pid=,args=", "-g", str(process.pid)], capture_output=True, text=True
            ).stdout
            os.killpg(process.pid, signal.SIGKILL)  # leave nothing running behind the test
            pytest.fail(f"Ctrl-C did not stop scripts/demo within 30 s; still running:\n{left}")

    stdout_lines = out.read_text().rstrip().splitlines()
    summary = stdout_lines[-5:]
    assert summary[0] == f"billpay is running: http://127.0.0.1:{port}/"
    assert summary[1].strip() == f"Staff admin:  http://127.0.0.1:{port}/admin/"
    assert summary[2].strip().startswith("Admin login: admin@billpay.localhost / ")
    assert summary[3].strip() == f"Worker logs:  {var}/log/worker.log, {var}/log/beat.log"
    # Nothing of Celery's on the terminal: its banners and warnings are in the files.
    assert "celery" not in printed.lower()
    assert "SecurityWarning" not in printed
    assert (var / "log" / "worker.log").stat().st_size > 0
    assert (var / "log" / "beat.log").exists()
    # Ctrl-C stopped everything it started: nothing listens on the port any more.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
