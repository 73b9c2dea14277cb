from __future__ import annotations

from unittest import mock

import pytest

from payables.models import ImportRun
from payables.services.imports import payables_import_retry, payables_import_start
from tests.accounts.factories import ConnectionFactory
from tests.payables.factories import ImportRunFactory


@pytest.mark.django_db
def test_start_creates_a_pending_run_and_enqueues_it(company, enqueued_import) -> None:
    connection = company.connections.get()

    run = payables_import_start(company=company, connection=connection)

    assert run.status == ImportRun.Status.PENDING
    assert run.kind == ImportRun.Kind.FIRST_LINK
    assert run.connection == connection
    enqueued_import.assert_called_once_with(run.pk)


@pytest.mark.django_db
def test_start_twice_returns_the_live_run(company, enqueued_import) -> None:
    connection = company.connections.get()

    first = payables_import_start(company=company, connection=connection)
    second = payables_import_start(company=company, connection=connection)

    assert second.pk == first.pk
    assert ImportRun.objects.filter(company=company).count() == 1
    enqueued_import.assert_called_once_with(first.pk)


@pytest.mark.django_db
def test_start_loses_the_race_and_returns_the_winner(company, enqueued_import) -> None:
    connection = company.connections.get()
    winner = ImportRunFactory(company=company)
    # The race: the check for a live run saw none, but the winner's INSERT came first.
    with mock.patch.object(ImportRun.objects, "filter") as filter_:
        filter_.return_value.first.return_value = None
        run = payables_import_start(company=company, connection=connection)

    assert run.pk == winner.pk
    enqueued_import.assert_not_called()


@pytest.mark.django_db
def test_start_after_a_finished_run_starts_a_new_one(company, enqueued_import) -> None:
    connection = company.connections.get()
    done = ImportRunFactory(company=company, status=ImportRun.Status.SUCCEEDED)

    run = payables_import_start(company=company, connection=connection)

    assert run.pk != done.pk
    assert run.status == ImportRun.Status.PENDING


@pytest.mark.django_db
def test_start_refuses_another_companys_connection(company, other_company, enqueued_import) -> None:
    with pytest.raises(ValueError, match="another company"):
        payables_import_start(company=company, connection=ConnectionFactory(company=other_company))
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_retry_resets_a_failed_run_keeping_its_tokens(company, enqueued_import) -> None:
    failed = ImportRunFactory(
        company=company,
        status=ImportRun.Status.FAILED,
        error="The ledger is down.",
        bills_token="page-3",
        bills_imported=200,
    )

    run = payables_import_retry(run=failed)

    assert run.pk == failed.pk
    assert run.status == ImportRun.Status.PENDING
    assert run.error == ""
    assert (run.bills_token, run.bills_imported) == ("page-3", 200)
    enqueued_import.assert_called_once_with(run.pk)


@pytest.mark.django_db
def test_retry_returns_the_live_run_when_one_exists(company, enqueued_import) -> None:
    failed = ImportRunFactory(company=company, status=ImportRun.Status.FAILED)
    live = ImportRunFactory(company=company)

    run = payables_import_retry(run=failed)

    assert run.pk == live.pk
    failed.refresh_from_db()
    assert failed.status == ImportRun.Status.FAILED
    enqueued_import.assert_not_called()
