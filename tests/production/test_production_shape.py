"""The journey's key steps through billpay as it runs at scale (see stack.py): gunicorn with two
workers, a Celery worker and beat over Redis, PostgreSQL, S3 on moto, and the sandbox ledger over
HTTP as if it were Codat. Nothing here runs in the test process but the HTTP client."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.production.stack import Form, ProductionStack, StackError, tools_missing
from tests.services import service_missing

# It starts its own databases and processes: the PostgreSQL + Redis pass runs it.
pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "a long shape passphrase 42"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    missing = tools_missing()
    if missing:
        service_missing("the production stack", missing)
    try:
        with ProductionStack.start(tmp_path_factory.mktemp("shape")) as started:
            yield started
    except (StackError, OSError) as exc:
        service_missing("the production stack", str(exc))


class Visitor:
    """A browser without JavaScript: cookies per host, redirects followed, forms posted with their
    CSRF token."""

    def __init__(self) -> None:
        self.http = httpx.Client(follow_redirects=True, timeout=30)
        self.page: httpx.Response | None = None

    def get(self, url: str) -> httpx.Response:
        self.page = self.http.get(url)
        assert self.page.status_code == 200, (url, self.page.status_code, self.page.text[-2000:])
        return self.page

    def submit(
        self, url: str, data: dict[str, str], *, form_url: str | None = None
    ) -> httpx.Response:
        """Load the form's page, then post `data` with the page's CSRF token."""
        page = self.get(form_url or url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {page.url}"
        self.page = self.http.post(url, data={"csrfmiddlewaretoken": token.group(1), **data})
        assert self.page.status_code == 200, (url, self.page.status_code, self.page.text[-2000:])
        return self.page


def test_the_journey_runs_on_the_production_stack(stack: ProductionStack) -> None:
    app = stack.app_url
    visitor = Visitor()

    # Sign up and create the company: the Codat company is created over HTTP in the sandbox.
    visitor.submit(
        f"{app}/accounts/signup/",
        {
            "email": "shape@example.com",
            "full_name": "Shape Tester",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    page = visitor.submit(f"{app}/accounts/companies/new/", {"name": "Shape Trading Ltd"})
    assert str(page.url).startswith(f"{app}/onboarding/")

    # Pick Xero: billpay creates the connection and sends the user to its linkUrl, the sandbox's
    # consent page on the other server; allowing access brings them back to billpay's callback.
    consent = visitor.submit(f"{app}/onboarding/", {"platform": "gbol"})
    assert str(consent.url).startswith(f"{stack.sandbox_url}/sandbox/"), consent.url
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', consent.text)[1])  # type: ignore[index]
    progress = visitor.submit(
        str(consent.url.join(action)), {"decision": "allow"}, form_url=str(consent.url)
    )
    assert str(progress.url).startswith(f"{app}/imports/"), progress.url

    # The first-link import runs in the Celery worker, over Redis.
    status_url = f"{str(progress.url).rstrip('/')}/status/"
    deadline = time.monotonic() + 90
    status = ""
    while time.monotonic() < deadline:
        status = re.search(r'data-import-status="(\w+)"', visitor.get(status_url).text)[1]  # type: ignore[index]
        if status in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    assert status == "succeeded", stack.log_tail("worker")

    inbox = visitor.get(f"{app}/")
    assert "Unpaid bills" in inbox.text
    assert len(re.findall(r'<tr data-bill="\d+">', inbox.text)) > 0
    assert "Last refreshed" in inbox.text
    # A bill in the base currency (GBP), so that any GBP bank account can pay it.
    rows = re.findall(r'<tr data-bill="\d+">(.*?)</tr>', inbox.text, re.S)
    gbp = next(row for row in rows if "<td>GBP</td>" in row)
    bill_url = re.search(r'<a href="(/bills/\d+/)"', gbp)[1]  # type: ignore[index]
    detail = visitor.get(f"{app}{bill_url}")
    assert "Line items" in detail.text or "line" in detail.text.lower()

    # Attach a file: billpay keeps its copy in S3 (moto) and the ledger gets it over HTTP.
    bill_id = re.search(r"/bills/(\d+)/", bill_url)[1]  # type: ignore[index]
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', detail.text)[1]  # type: ignore[index]
    uploaded = visitor.http.post(
        f"{app}/bills/{bill_id}/attachments/",
        data={"csrfmiddlewaretoken": token},
        files={"files": ("remittance.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 200, uploaded.text[-2000:]
    assert "remittance.pdf" in uploaded.text
    keys = stack.bucket_keys()
    assert any(key.endswith("remittance.pdf") for key in keys), keys
    download = re.search(r'href="(/attachments/\d+/download/)"', uploaded.text)[1]  # type: ignore[index]
    assert visitor.http.get(f"{app}{download}").content == pdf

    # Pay part, then the rest: recorded in the ledger over HTTP, and the bill leaves the inbox.
    due = Decimal(
        re.search(
            r'name="amount"[^>]*value="([\d.]+)"', visitor.get(f"{app}/bills/{bill_id}/pay/").text
        )[1]
    )  # type: ignore[index]
    part = (due / 3).quantize(Decimal("0.01"))
    pay(visitor, app, bill_id, part)
    rest = pay(visitor, app, bill_id, None)
    assert "Paid" in rest.text
    inbox = visitor.get(f"{app}/")
    assert f'<tr data-bill="{bill_id}">' not in inbox.text
    paid = visitor.get(f"{app}/?status=Paid")
    assert f'<tr data-bill="{bill_id}">' in paid.text
    payments = visitor.get(f"{app}/payments/")
    assert payments.text.count("Recorded") >= 2

    # Static files come from WhiteNoise in the gunicorn workers.
    css = visitor.http.get(f"{app}/static/css/app.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]


def pay(visitor: Visitor, app: str, bill_id: str, amount: Decimal | None) -> httpx.Response:
    """Pay `amount` (None: what is due) of a GBP bill from a GBP bank account: the form, its
    review step, then the confirmation."""
    url = f"{app}/bills/{bill_id}/pay/"
    page = visitor.get(url)
    form = Form(page.text, f"/bills/{bill_id}/pay/")
    currency = re.search(r"\b([A-Z]{3})\b", form.fields.get("amount_currency", "") or page.text)
    bank = next(
        (
            value
            for value, text in form.options["bank_account"]
            if value and currency and currency[1] in text
        ),
        next(value for value, _text in form.options["bank_account"] if value),
    )
    data = {**form.fields, "bank_account": bank, "reference": "production shape"}
    if amount is not None:
        data["amount"] = str(amount)
    review = visitor.http.post(url, data=data)
    assert review.status_code == 200, review.text[-2000:]
    errors = re.findall(r"<ul class=\"errorlist[^>]*>(.*?)</ul>", review.text, re.S)
    assert "Confirm payment" in review.text, (errors, data)
    confirm = Form(review.text, f"/bills/{bill_id}/pay/")
    done = visitor.http.post(url, data={**confirm.fields, "confirm": "1"}, follow_redirects=True)
    assert done.status_code == 200, done.text[-2000:]
    return done


def test_gunicorn_runs_two_workers_and_beat_installed_its_schedule(stack: ProductionStack) -> None:
    booted = re.findall(r"Booting worker with pid", stack.log_tail("app", 20_000))
    assert len(booted) == 2
    import psycopg

    from tests.production.stack import POSTGRES

    with psycopg.connect(f"{POSTGRES}/{stack.database}") as conn:
        names = {row[0] for row in conn.execute("select name from django_celery_beat_periodictask")}
    assert "sandbox-purge-idempotency" in names


def test_the_stack_serves_no_debug_pages(stack: ProductionStack) -> None:
    missing = httpx.get(f"{stack.app_url}/no-such-page/", timeout=10)
    assert missing.status_code == 404
    assert "Traceback" not in missing.text
    assert "DEBUG = True" not in missing.text


def test_the_bucket_is_reachable_from_the_stack(stack: ProductionStack, tmp_path: Path) -> None:
    stack.s3().put_object(Bucket="billpay-production-shape", Key="probe.txt", Body=b"ok")
    assert "probe.txt" in stack.bucket_keys()
