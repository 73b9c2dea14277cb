"""Fixtures for the client's contract tests against Prism (see tests/contract/prism.py)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from codat.client import CodatClient
from tests.contract.prism import (
    PRISM,
    REPO,
    PrismLog,
    SpecOperation,
    free_port,
    load_spec_operations,
    stop,
    wait_until_ready,
)
from tests.ledger_spec import spec_path
from tests.services import service_missing

_SESSION_LOG: list[PrismLog] = []


@pytest.fixture(scope="session")
def codat_spec() -> Path:
    path = spec_path()
    if not path.is_file():
        service_missing("Prism", f"the Codat spec {path} is missing (set CODAT_SPEC_PATH)")
    return path


@pytest.fixture(scope="session")
def spec_operations(codat_spec: Path) -> tuple[SpecOperation, ...]:
    return load_spec_operations(codat_spec)


@pytest.fixture(scope="session")
def prism_url(codat_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PRISM.exists():
        service_missing("Prism", f"{PRISM} is missing; run `npm ci` in {REPO}")
    if shutil.which("node") is None:
        service_missing("Prism", "node is not on PATH")
    port = free_port()
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    with log_path.open("wb") as log:
        # The binary itself, not npx: killing npx would leave the server running.
        process = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(codat_spec)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        problem = wait_until_ready(process, url, log_path)
        if problem is not None:
            service_missing("Prism", problem)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def prism_log(spec_operations: tuple[SpecOperation, ...]) -> PrismLog:
    log = PrismLog(spec_operations)
    _SESSION_LOG.append(log)
    return log


@pytest.fixture
def prism_client(prism_url: str, prism_log: PrismLog) -> Iterator[CodatClient]:
    prism_log.prefer = None
    with CodatClient(
        base_url=prism_url,
        api_key="billpay-contract-test",
        sleep=lambda seconds: None,
        event_hooks={"request": [prism_log.on_request], "response": [prism_log.on_response]},
    ) as client:
        yield client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _SESSION_LOG or not _SESSION_LOG[0].exchanges:
        return
    log = _SESSION_LOG[0]
    calls = log.calls_by_operation()
    spec_ids = {operation.operation_id for operation in log.operations}
    violations = sum(len(exchange.violations) for exchange in log.exchanges)
    terminalreporter.write_line(
        f"prism contract: {len(log.exchanges)} calls over {len(spec_ids & set(calls))} of "
        f"{len(spec_ids)} spec operations; {violations} sl-violations reported "
        "(known spec-example defects included)"
    )
    for operation_id in sorted(spec_ids | set(calls)):
        terminalreporter.write_line(f"  {operation_id}: {calls.get(operation_id, 0)}")
