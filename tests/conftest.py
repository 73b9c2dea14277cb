from __future__ import annotations

import pytest

SPEC_VALIDATOR = "tests.ledger_spec.validate_ledger_response"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-django has set Django up by now. Every response the sandbox ledger produces during the
    # session is checked against Codat's spec (see tests/ledger_spec.py).
    from django.conf import settings

    settings.SANDBOX_RESPONSE_VALIDATOR = SPEC_VALIDATOR


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.ledger_spec import validation_stats

    stats = validation_stats()
    terminalreporter.write_line(
        f"sandbox spec checks: {stats.total} responses validated over "
        f"{len(stats.by_operation)} operation/status pairs"
    )
    if terminalreporter.config.get_verbosity() > 0:
        for (operation_id, status), count in sorted(stats.by_operation.items()):
            terminalreporter.write_line(f"  {operation_id} {status}: {count}")
