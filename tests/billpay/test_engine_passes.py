"""Which tests the SQLite pass leaves to the PostgreSQL pass (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import engine_agnostic


def test_a_test_without_database_or_service_runs_once(request: pytest.FixtureRequest) -> None:
    assert engine_agnostic(request.node)


def test_a_test_with_the_database_fixture_runs_on_both(
    request: pytest.FixtureRequest, db: None
) -> None:
    assert not engine_agnostic(request.node)


@pytest.mark.django_db
def test_a_test_marked_for_the_database_runs_on_both(request: pytest.FixtureRequest) -> None:
    assert not engine_agnostic(request.node)


@pytest.mark.redis
def test_a_test_marked_for_a_service_runs_on_both(request: pytest.FixtureRequest) -> None:
    assert not engine_agnostic(request.node)


class _Unmarked:
    """An item of another file without marks or fixtures: only its node id is read."""

    fixturenames: tuple[str, ...] = ()

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid

    def get_closest_marker(self, name: str) -> None:
        return None


def test_the_tests_that_read_the_environment_run_on_both() -> None:
    assert not engine_agnostic(_Unmarked("tests/billpay/test_settings.py::test_x"))  # type: ignore[arg-type]
    assert not engine_agnostic(_Unmarked("tests/production/test_production_shape.py::test_x"))  # type: ignore[arg-type]
    assert engine_agnostic(_Unmarked("tests/codat/test_money.py::test_x"))  # type: ignore[arg-type]
