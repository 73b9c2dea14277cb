"""The load run's users (see benchmarks/load.py): each logs in as one of the seeded companies and
works its inbox. LOAD_ACCOUNTS names the JSON file load_seed.py wrote; every request's end time,
name, response time and outcome go to the JSON file LOAD_TIMES names when the run ends."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from typing import Any

from locust import HttpUser, between, events, task

from tests.production.stack import Form

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115
_next = itertools.cycle(range(len(ACCOUNTS)))
_lock = threading.Lock()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BILL = re.compile(r'<tr data-bill="(\d+)">')
GBP_ROW = re.compile(r'<tr data-bill="(\d+)">(?:(?!</tr>).)*<td>GBP</td>', re.S)


TIMES: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: Exception | None, **_: Any) -> None:
    TIMES.append((time.time(), name, response_time, exception is not None))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    with open(os.environ["LOAD_TIMES"], "w") as file:
        json.dump(TIMES, file)


class SmallBusiness(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        with _lock:
            self.account = ACCOUNTS[next(_next)]
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text)[1]  # type: ignore[index]
        self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.account["email"],
                "password": self.account["password"],
            },
            name="login",
        )
        self.bills: list[str] = BILL.findall(self.client.get("/", name="inbox").text)

    @task(4)
    def inbox(self) -> None:
        page = self.client.get("/", name="inbox")
        self.bills = BILL.findall(page.text) or self.bills

    @task(2)
    def inbox_filtered(self) -> None:
        self.client.get("/?due=overdue&sort=-amount_due", name="inbox filtered")

    @task(2)
    def inbox_search(self) -> None:
        self.client.get("/?q=ltd", name="inbox search")

    @task(1)
    def inbox_page(self) -> None:
        self.client.get("/?page=2", headers={"HX-Request": "true"}, name="inbox page 2 (htmx)")

    @task(2)
    def bill_detail(self) -> None:
        if self.bills:
            self.client.get(f"/bills/{random.choice(self.bills)}/", name="bill detail")

    @task(1)
    def pay_part(self) -> None:
        """The pay flow: the form, its review, the confirmation; 1.00 of a GBP bill each time."""
        bills = GBP_ROW.findall(self.client.get("/?currency=GBP", name="inbox GBP").text)
        if not bills:
            return
        bill = random.choice(bills)
        url = f"/bills/{bill}/pay/"
        form = Form(self.client.get(url, name="pay form").text, url)
        banks = [value for value, text in form.options.get("bank_account", []) if "(GBP)" in text]
        if not banks:
            return
        data = {**form.fields, "amount": "1.00", "bank_account": banks[0], "reference": "load"}
        review = self.client.post(url, data=data, name="pay review")
        confirm = Form(review.text, url)
        if "idempotency_key" not in confirm.fields:
            return  # e.g. another user is paying this bill right now: the form says so
        self.client.post(url, data={**confirm.fields, "confirm": "1"}, name="pay confirm")
