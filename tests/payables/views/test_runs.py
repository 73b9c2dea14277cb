from __future__ import annotations

import pytest
from django.urls import reverse

from payables.models import ImportRun
from tests.payables.factories import ImportRunFactory

pytestmark = pytest.mark.django_db


def make_run(company, **fields) -> ImportRun:
    fields.setdefault("status", ImportRun.Status.RUNNING)
    return ImportRunFactory(company=company, **fields)


def progress_url(run: ImportRun) -> str:
    return reverse("payables:import-progress", args=[run.pk])


def status_url(run: ImportRun) -> str:
    return reverse("payables:import-status", args=[run.pk])


def retry_url(run: ImportRun) -> str:
    return reverse("payables:import-retry", args=[run.pk])


HTMX = {"HX-Request": "true"}


class TestProgressPage:
    def test_it_shows_what_came_in_so_far_and_polls(self, client_logged_in, company) -> None:
        run = make_run(company, phase="bills", bills_imported=120, suppliers_imported=35)

        response = client_logged_in.get(progress_url(run))

        assert response.status_code == 200
        html = response.text
        assert "<html" in html
        assert "Importing unpaid bills" in html
        assert "<dd data-bills>120</dd>" in html
        assert "<dd data-suppliers>35</dd>" in html
        assert f'hx-get="{status_url(run)}"' in html
        assert 'hx-trigger="every 2s"' in html
        # Without JavaScript: a meta refresh and a plain link.
        assert '<meta http-equiv="refresh"' in html
        assert f'href="{progress_url(run)}"' in html

    def test_it_htmx_returns_only_the_fragment(self, client_logged_in, company) -> None:
        run = make_run(company, bills_imported=7)

        response = client_logged_in.get(progress_url(run), headers=HTMX)

        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'id="import-progress"' in response.text
        assert "<dd data-bills>7</dd>" in response.text

    def test_a_pending_run_waits_to_start(self, client_logged_in, company) -> None:
        run = make_run(company, status=ImportRun.Status.PENDING)

        response = client_logged_in.get(progress_url(run))

        assert "Waiting to start" in response.text
        assert 'hx-trigger="every 2s"' in response.text

    def test_success_says_what_was_not_imported_and_links_to_the_inbox(
        self, client_logged_in, company
    ) -> None:
        run = make_run(
            company,
            status=ImportRun.Status.SUCCEEDED,
            phase="done",
            bills_imported=80,
            suppliers_imported=12,
            not_imported={"Paid": 12, "Void": 3, "Draft": 2},
        )

        response = client_logged_in.get(progress_url(run))

        html = response.text
        assert "80 unpaid bills and 12 suppliers imported" in html
        assert (
            "12 paid, 3 void and 2 draft bills in Xero are not shown: "
            "the inbox lists unpaid bills only." in html
        )
        assert f'href="{reverse("payables:bill-list")}"' in html
        assert "hx-trigger" not in html
        assert "http-equiv" not in html

    def test_success_with_nothing_left_out_says_nothing_about_it(
        self, client_logged_in, company
    ) -> None:
        run = make_run(
            company,
            status=ImportRun.Status.SUCCEEDED,
            not_imported={"Paid": 0, "Void": 1, "Draft": 0},
        )

        response = client_logged_in.get(progress_url(run))

        assert "1 void bill in Xero is not shown" in response.text

    def test_failure_shows_the_error_and_a_retry_form(self, client_logged_in, company) -> None:
        run = make_run(
            company, status=ImportRun.Status.FAILED, error="Xero is down for maintenance."
        )

        response = client_logged_in.get(progress_url(run))

        html = response.text
        assert "The import stopped: Xero is down for maintenance." in html
        assert f'<form method="post" action="{retry_url(run)}"' in html
        assert "Try again" in html
        assert "hx-trigger" not in html

    def test_other_company_gets_404(self, client_logged_in, other_company) -> None:
        run = make_run(other_company)

        assert client_logged_in.get(progress_url(run)).status_code == 404
        assert client_logged_in.get(status_url(run)).status_code == 404

    def test_a_company_that_is_not_the_active_one_gets_404(
        self, client_logged_in, user, company
    ) -> None:
        from accounts.services import ACTIVE_COMPANY_SESSION_KEY
        from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory

        second = CompanyFactory(name="Zeta Ltd")
        MembershipFactory(user=user, company=second)
        ConnectionFactory(company=second)
        run = make_run(second)
        session = client_logged_in.session
        session[ACTIVE_COMPANY_SESSION_KEY] = company.pk
        session.save()

        assert client_logged_in.get(progress_url(run)).status_code == 404

    def test_missing_run_gets_404(self, client_logged_in) -> None:
        response = client_logged_in.get(reverse("payables:import-progress", args=[999999]))

        assert response.status_code == 404

    def test_anonymous_goes_to_login(self, client, company) -> None:
        run = make_run(company)

        for url in (progress_url(run), status_url(run)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))

    def test_wrong_method_gets_405(self, client_logged_in, company) -> None:
        run = make_run(company)

        assert client_logged_in.post(progress_url(run)).status_code == 405
        assert client_logged_in.post(status_url(run)).status_code == 405


class TestStatusFragment:
    def test_it_returns_the_fragment_while_running(self, client_logged_in, company) -> None:
        run = make_run(company, phase="suppliers", suppliers_imported=300)

        response = client_logged_in.get(status_url(run), headers=HTMX)

        assert response.status_code == 200
        assert "<html" not in response.text
        assert "Importing suppliers" in response.text
        assert "<dd data-suppliers>300</dd>" in response.text
        assert 'hx-trigger="every 2s"' in response.text

    def test_it_shows_a_passing_problem_while_retrying(self, client_logged_in, company) -> None:
        run = make_run(company, error="Too many requests. Retrying…")

        response = client_logged_in.get(status_url(run), headers=HTMX)

        assert "Too many requests. Retrying…" in response.text
        assert 'hx-trigger="every 2s"' in response.text

    def test_success_redirects_to_the_inbox(self, client_logged_in, company) -> None:
        run = make_run(company, status=ImportRun.Status.SUCCEEDED)

        response = client_logged_in.get(status_url(run), headers=HTMX)

        assert response["HX-Redirect"] == reverse("payables:bill-list")

    def test_success_without_htmx_links_to_the_inbox(self, client_logged_in, company) -> None:
        run = make_run(company, status=ImportRun.Status.SUCCEEDED)

        response = client_logged_in.get(status_url(run))

        assert response.status_code == 200
        assert f'href="{reverse("payables:bill-list")}"' in response.text

    def test_failure_stops_polling_and_offers_retry(self, client_logged_in, company) -> None:
        run = make_run(company, status=ImportRun.Status.FAILED, error="Access was revoked.")

        response = client_logged_in.get(status_url(run), headers=HTMX)

        assert response.status_code == 286  # htmx: stop polling
        assert "The import stopped: Access was revoked." in response.text
        assert f'action="{retry_url(run)}"' in response.text
        assert "hx-trigger" not in response.text


class TestRetry:
    def test_it_resets_the_failed_run_and_redirects_to_its_progress(
        self, client_logged_in, company, enqueued_import
    ) -> None:
        run = make_run(company, status=ImportRun.Status.FAILED, error="Down", bills_token="t2")

        response = client_logged_in.post(retry_url(run))

        assert response.status_code == 302
        assert response["Location"] == progress_url(run)
        run.refresh_from_db()
        assert run.status == ImportRun.Status.PENDING
        assert run.error == ""
        assert run.bills_token == "t2"
        enqueued_import.assert_called_once_with(run.pk)

    def test_it_htmx_redirects_on_the_client(
        self, client_logged_in, company, enqueued_import
    ) -> None:
        run = make_run(company, status=ImportRun.Status.FAILED)

        response = client_logged_in.post(retry_url(run), headers=HTMX)

        assert response["HX-Redirect"] == progress_url(run)
        run.refresh_from_db()
        assert run.status == ImportRun.Status.PENDING

    def test_retrying_a_running_import_changes_nothing(
        self, client_logged_in, company, enqueued_import
    ) -> None:
        run = make_run(company, status=ImportRun.Status.RUNNING)

        response = client_logged_in.post(retry_url(run))

        assert response["Location"] == progress_url(run)
        run.refresh_from_db()
        assert run.status == ImportRun.Status.RUNNING
        enqueued_import.assert_not_called()

    def test_other_company_gets_404(self, client_logged_in, other_company, enqueued_import) -> None:
        run = make_run(other_company, status=ImportRun.Status.FAILED)

        assert client_logged_in.post(retry_url(run)).status_code == 404
        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED

    def test_get_gets_405(self, client_logged_in, company) -> None:
        run = make_run(company, status=ImportRun.Status.FAILED)

        assert client_logged_in.get(retry_url(run)).status_code == 405

    def test_anonymous_goes_to_login(self, client, company) -> None:
        run = make_run(company, status=ImportRun.Status.FAILED)

        response = client.post(retry_url(run))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
