"""How tests that need a real service (PostgreSQL, Redis, Prism, moto, chromium) react to its absence.

Locally a missing service skips the test with the reason. In CI (`BILLPAY_REQUIRE_SERVICES=1`) a
missing service fails the test instead, so a service test can never pass by silently skipping.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def services_required() -> bool:
    return os.environ.get("BILLPAY_REQUIRE_SERVICES", "") == "1"


def service_missing(name: str, reason: str) -> NoReturn:
    message = f"{name} is not available: {reason}"
    if services_required():
        pytest.fail(
            f"{message} (BILLPAY_REQUIRE_SERVICES=1 turns a missing service into a failure)"
        )
    pytest.skip(message)
