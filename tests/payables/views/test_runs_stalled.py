"""What a person sees of an import or refresh whose worker died: the progress pages say it
stalled and offer Retry, "Refresh now" resumes it, and the inbox says its list is incomplete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from payables.models import ImportRun
from tests.payables.factories import ImportRunFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
INBOX = reverse("payables:bill-list")


def make_run(company, *, idle: float = 0, **fields) -> ImportRun:
    """A running run whose last stored page was `idle` seconds ago."""
    now = timezone.now()
    fields.setdefault("status", ImportRun.Status.RUNNING)
    return ImportRunFactory(
        company=company,
        lease="dead-worker",
        started_at=now - dt.timedelta(seconds=idle + 60),
        progressed_at=now - dt.timedelta(seconds=idle),
        **fields,
    )


class TestImportProgress:
    def test_a_stalled_import_says_so_and_offers_retry(self, client_logged_in, company) -> None:
        run = make_run(company, idle=600, phase="bills", bills_imported=200)

        html = client_logged_in.get(reverse("payables:import-progress", args=[run.pk])).text

        assert "The import has stalled" in html
        assert "200 unpaid bills" in html
        retry = reverse("payables:import-retry", args=[run.pk])
        assert f'<form method="post" action="{retry}"' in html
        assert ">Retry the import</button>" in html
        # Not polled and not spinning: nothing is coming until someone retries.
        assert "hx-trigger" not in html
        assert '<meta http-equiv="refresh"' not in html

    def test_its_status_fragment_stops_polling(self, client_logged_in, company) -> None:
        run = make_run(company, idle=600)

        response = client_logged_in.get(
            reverse("payables:import-status", args=[run.pk]), headers=HTMX
        )

        assert response.status_code == 286
        assert "Retry the import" in response.text

    def test_retry_resumes_the_stalled_run_from_its_token(
        self, client_logged_in, company, enqueued_runs
    ) -> None:
        run = make_run(company, idle=600, phase="bills", bills_token="page-3", resumes=3)

        response = client_logged_in.post(reverse("payables:import-retry", args=[run.pk]))

        assert response["Location"] == reverse("payables:import-progress", args=[run.pk])
        run.refresh_from_db()
        assert (run.status, run.lease, run.bills_token) == (ImportRun.Status.PENDING, "", "page-3")
        # A person's retry gives the sweeper its automatic retries back.
        assert run.resumes == 0
        enqueued_runs["import"].assert_called_once_with(run.pk)

    def test_a_live_import_is_not_stalled(self, client_logged_in, company, enqueued_runs) -> None:
        run = make_run(company, idle=5)

        html = client_logged_in.get(reverse("payables:import-progress", args=[run.pk])).text
        client_logged_in.post(reverse("payables:import-retry", args=[run.pk]))

        assert "stalled" not in html
        assert 'hx-trigger="every 2s"' in html
        enqueued_runs["import"].assert_not_called()


class TestRefresh:
    def test_a_stalled_refresh_says_so_and_offers_retry(self, client_logged_in, company) -> None:
        run = make_run(company, idle=600, kind=ImportRun.Kind.REFRESH)

        html = client_logged_in.get(reverse("payables:refresh-progress", args=[run.pk])).text

        assert "The refresh has stalled" in html
        assert ">Retry the refresh</button>" in html
        assert "hx-trigger" not in html

    def test_refresh_now_resumes_a_stalled_refresh(
        self, client_logged_in, company, enqueued_runs
    ) -> None:
        run = make_run(company, idle=600, kind=ImportRun.Kind.REFRESH, phase="bills")

        response = client_logged_in.post(reverse("payables:refresh-now"))

        assert response["Location"] == reverse("payables:refresh-progress", args=[run.pk])
        run.refresh_from_db()
        assert run.status == ImportRun.Status.PENDING
        assert not run.is_stalled()
        enqueued_runs["refresh"].assert_called_once_with(run.pk)

    def test_refresh_now_resumes_a_stalled_first_link_import(
        self, client_logged_in, company, enqueued_runs
    ) -> None:
        run = make_run(company, idle=600)

        response = client_logged_in.post(reverse("payables:refresh-now"))

        assert response["Location"] == reverse("payables:import-progress", args=[run.pk])
        run.refresh_from_db()
        assert run.status == ImportRun.Status.PENDING
        enqueued_runs["import"].assert_called_once_with(run.pk)
        enqueued_runs["refresh"].assert_not_called()


class TestInboxNotice:
    def test_a_running_import_makes_the_inbox_say_it_is_incomplete(
        self, client_logged_in, company
    ) -> None:
        run = make_run(company, idle=5, bills_imported=100)

        html = client_logged_in.get(INBOX).text

        assert 'data-run-notice="running"' in html
        assert "Your bills are still being imported" in html
        assert (
            "this list is incomplete and its totals are partial (100 unpaid bills so far)" in html
        )
        assert f'href="{reverse("payables:import-progress", args=[run.pk])}"' in html
        assert "data-run-retry" not in html

    def test_a_stalled_import_is_named_with_a_retry(self, client_logged_in, company) -> None:
        run = make_run(company, idle=600)

        html = client_logged_in.get(INBOX).text

        assert 'data-run-notice="stalled"' in html
        assert "has stalled" in html
        assert "its totals are partial" in html
        retry = reverse("payables:import-retry", args=[run.pk])
        assert f'<form method="post" action="{retry}">' in html
        assert ">Retry the import</button>" in html

    def test_a_first_import_that_failed_leaves_the_inbox_incomplete(
        self, client_logged_in, company
    ) -> None:
        make_run(company, status=ImportRun.Status.FAILED, error="Gone.")

        html = client_logged_in.get(INBOX).text

        assert 'data-run-notice="failed"' in html
        assert "stopped before it finished" in html

    def test_a_stalled_refresh_says_the_totals_may_be_out_of_date(
        self, client_logged_in, company
    ) -> None:
        make_run(company, idle=600, kind=ImportRun.Kind.REFRESH)

        html = client_logged_in.get(INBOX).text

        assert "The refresh from" in html
        assert "may be out of date" in html
        assert f'action="{reverse("payables:refresh-now")}"' in html

    def test_no_notice_once_the_import_succeeded(self, client_logged_in, company) -> None:
        make_run(company, status=ImportRun.Status.SUCCEEDED, finished_at=timezone.now())

        assert "data-run-notice" not in client_logged_in.get(INBOX).text

    def test_the_htmx_table_fragment_has_no_notice(self, client_logged_in, company) -> None:
        make_run(company, idle=600)

        assert "data-run-notice" not in client_logged_in.get(INBOX, headers=HTMX).text
