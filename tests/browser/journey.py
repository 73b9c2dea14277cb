"""The user's journey through billpay in a real browser, as small steps that can be chained.

Each step acts like a user (fills fields, clicks buttons, follows links), waits for the page it
leads to, and ends with `journey.checkpoint(name)`, which

- saves a screenshot `NN-name.png` in the test's artifacts folder,
- with JavaScript on, runs axe-core on the page and writes `NN-name.axe.json` beside it,
- fails the test on anything that went wrong since the last checkpoint: a console error (which
  includes every Content-Security-Policy violation Chromium reports), an uncaught page error, a
  request that failed, a response of 400 or more, or a serious/critical axe violation.

A later feature appends its own steps here (say `create_bill`, `pay_bill`) and calls them after
`open_bill` in tests/browser/test_journey.py. Steps work with JavaScript on and off: they click
the same buttons and links, and wait for the URL or content the page reaches either way.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parent.parent.parent
ARTIFACTS_ENV = "BILLPAY_BROWSER_ARTIFACTS"
AXE_SOURCE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# axe's impacts that fail a page; "moderate" and "minor" ones are recorded in the JSON only.
BLOCKING_IMPACTS = {"serious", "critical"}
# How long the import may take, end to end (worker pick-up, ledger calls, the page's refresh).
IMPORT_TIMEOUT_MS = 45_000


def artifacts_root() -> Path:
    """Where every browser test's folder goes: $BILLPAY_BROWSER_ARTIFACTS, else var/."""
    return Path(os.environ.get(ARTIFACTS_ENV) or REPO / "var" / "browser-artifacts")


@dataclass
class Journey:
    page: Page
    site: str
    folder: Path
    javascript: bool
    problems: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    # While axe runs: axe itself adds <style> elements to some pages (the admin's change form),
    # which the policy blocks; those reports are the test harness's, not the app's.
    _axe_running: bool = False

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        if self.javascript:
            # Structured CSP reports as well as Chromium's console line; added as an init script
            # (through the DevTools protocol), so the policy under test does not block it.
            self.page.context.expose_binding("billpayCspViolation", self._on_csp_violation)
            self.page.context.add_init_script(
                "document.addEventListener('securitypolicyviolation', (e) =>"
                " window.billpayCspViolation({directive: e.violatedDirective,"
                " blocked: e.blockedURI, sample: e.sample, source: e.sourceFile,"
                " line: e.lineNumber}));"
            )

    # --- what the browser reports ------------------------------------------------------------

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            if self._axe_running and message.text.startswith("Applying inline style violates"):
                return
            # The page that logged it: a message can arrive after the next navigation began.
            where = (message.location or {}).get("url") or self.page.url
            self.problems.append(f"console error on {where}: {message.text}")

    def _on_request_failed(self, request: Any) -> None:
        # Requests over the web only: Chromium's PDF viewer (the document preview's iframe) loads
        # its own chrome-extension:// resources, and the browser may abort those as it likes.
        if not request.url.startswith(("http://", "https://")):
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(
                f"HTTP {response.status} for {response.request.method} {response.url}"
            )

    def _on_csp_violation(self, source: Any, report: dict[str, Any]) -> None:
        if self._axe_running and report["directive"].startswith("style-src"):
            return
        self.problems.append(f"CSP violation on {source['frame'].url}: {json.dumps(report)}")

    # --- checkpoints ---------------------------------------------------------------------------

    def checkpoint(self, name: str) -> None:
        """Record the page the journey has reached, and fail on anything that went wrong."""
        number = len(self.steps) + 1
        stem = f"{number:02d}-{name}"
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=self.folder / f"{stem}.png", full_page=True)
        step: dict[str, Any] = {"step": stem, "url": self.page.url, "title": self.page.title()}
        blocking: list[str] = []
        # On any screen, the page itself never scrolls sideways (a wide table scrolls in its region).
        width, viewport = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width > viewport:
            blocking.append(f"page is {width} px wide in a {viewport} px viewport")
        if self.javascript:
            results = self.axe()
            (self.folder / f"{stem}.axe.json").write_text(json.dumps(results, indent=2))
            step["axe"] = {
                impact: sum(1 for v in results["violations"] if v["impact"] == impact)
                for impact in ("critical", "serious", "moderate", "minor")
            }
            blocking = [
                f"axe {v['impact']}: {v['id']} ({v['help']}) at "
                + ", ".join(str(node["target"]) for node in v["nodes"][:5])
                for v in results["violations"]
                if v["impact"] in BLOCKING_IMPACTS
            ]
        step["problems"] = [*self.problems, *blocking]
        self.steps.append(step)
        self.problems = []
        assert not step["problems"], f"step {stem} at {step['url']}:\n" + "\n".join(
            step["problems"]
        )

    def axe(self) -> dict[str, Any]:
        """Run axe-core in the page; returns its results (violations, passes, incomplete).

        Injected through `evaluate` rather than `add_script_tag`: a script tag with inline content
        is exactly what the Content-Security-Policy refuses.
        """
        # Whatever the page reported before axe starts is the app's.
        self.page.wait_for_timeout(100)
        self._axe_running = True
        try:
            if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
                self.page.evaluate("() => {" + AXE_SOURCE.read_text() + "\n}")
            results: dict[str, Any] = self.page.evaluate(
                """async () => {
                    const r = await window.axe.run(document, {resultTypes: ["violations"]});
                    return {url: r.url, testEngine: r.testEngine, violations: r.violations,
                            incomplete: r.incomplete.length, passes: r.passes.length};
                }"""
            )
            # Reports of axe's own styles arrive a moment after it returns.
            self.page.wait_for_timeout(100)
        finally:
            self._axe_running = False
        return results

    def write_summary(self) -> None:
        """journey.json: every step's URL, axe counts and problems, for CI to keep."""
        summary = {"javascript": self.javascript, "steps": self.steps}
        if self.problems:
            summary["unchecked_problems"] = self.problems
        (self.folder / "journey.json").write_text(json.dumps(summary, indent=2))

    def url(self, path: str) -> str:
        return f"{self.site}{path}"


# --- steps ----------------------------------------------------------------------------------------


def open_signup(journey: Journey) -> None:
    journey.page.goto(journey.url("/accounts/signup/"))
    expect(journey.page.get_by_role("heading", name="Create your account")).to_be_visible()
    journey.checkpoint("signup")


def sign_up(journey: Journey, *, email: str, full_name: str, password: str) -> None:
    page = journey.page
    page.locator("#id_email").fill(email)
    page.locator("#id_full_name").fill(full_name)
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/companies/new/")
    expect(page.get_by_role("heading", name="Create your company")).to_be_visible()
    journey.checkpoint("company-create")


def create_company(journey: Journey, *, name: str) -> None:
    page = journey.page
    page.get_by_label("Company name").fill(name)
    page.get_by_role("button", name="Create company").click()
    page.wait_for_url("**/onboarding/")
    expect(page.get_by_role("heading", name="Connect your accounting platform")).to_be_visible()
    journey.checkpoint("platform")


def pick_platform(journey: Journey, *, name: str) -> None:
    """Choose the platform by its button's name; the browser leaves for the ledger's consent page,
    which names the same platform."""
    page = journey.page
    page.get_by_role("button", name=f"Connect {name}", exact=True).click()
    page.wait_for_url(re.compile(r"/sandbox/link-api/companies/[^/]+/connections/[^/]+/start"))
    expect(page.get_by_role("heading", name=re.compile("^Allow billpay"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"in your {name} organisation")
    journey.checkpoint("consent")


def allow_access(journey: Journey) -> None:
    """Consent on the ledger's page; it sends the user back to billpay's import progress page."""
    page = journey.page
    page.get_by_role("button", name="Allow access").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("^Bringing in your bills"))).to_be_visible()
    journey.checkpoint("import-progress")


def watch_import(journey: Journey) -> None:
    """Stay on the progress page until the import is done and the inbox opens.

    With JavaScript the page polls and moves to the inbox by itself; without, it refreshes itself
    (<noscript> meta refresh) until it says "Done", and the user follows the link to the inbox.
    """
    page = journey.page
    if journey.javascript:
        # The page polls and opens the inbox itself; an import that was over before the page was
        # first drawn shows "Done" and the link instead, as without JavaScript.
        deadline = time.monotonic() + IMPORT_TIMEOUT_MS / 1000
        while page.url != journey.url("/"):
            if page.locator("[data-import-done]").is_visible():
                page.locator("[data-inbox-link]").click()
                page.wait_for_url(journey.url("/"))
                break
            assert time.monotonic() < deadline, f"the import did not finish: {page.url}"
            page.wait_for_timeout(100)
    else:
        expect(page.locator("[data-import-done]")).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
        journey.checkpoint("import-done")
        page.locator("[data-inbox-link]").click()
        page.wait_for_url(journey.url("/"))
    expect(page.get_by_role("heading", name="Unpaid bills")).to_be_visible()
    expect(page.locator("#bill-table tbody tr").first).to_be_visible()
    journey.checkpoint("inbox")


def _submit_filters(journey: Journey) -> None:
    # With htmx the change (or typing) already sent the form; a plain browser needs the button.
    if not journey.javascript:
        journey.page.get_by_role("button", name="Filter").click()


def filter_inbox_by_supplier(journey: Journey, *, supplier: str, expected_rows: int) -> None:
    page = journey.page
    page.get_by_label("Supplier").select_option(label=supplier)
    _submit_filters(journey)
    page.wait_for_url(re.compile(r"[?&]supplier=\d+"))
    rows = page.locator("#bill-table tbody tr")
    expect(rows).to_have_count(expected_rows)
    for row in rows.all():
        expect(row.locator("td").first).to_have_text(supplier)
    journey.checkpoint("inbox-filtered")


def clear_filters(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("link", name="Clear", exact=True).click()
    page.wait_for_url(re.compile(r"/(\?[^s]*)?$"))
    expect(page.get_by_label("Supplier")).to_have_value("")


def search_inbox(journey: Journey, *, text: str, expected_rows: int) -> None:
    page = journey.page
    search = page.get_by_label("Search")
    search.fill("")
    # Typed key by key, as a user does: htmx searches on keyup after a pause.
    search.press_sequentially(text, delay=20)
    _submit_filters(journey)
    # The whole text, not a request sent while it was still being typed.
    page.wait_for_url(re.compile(rf"[?&]q={re.escape(quote_plus(text))}(&|$)"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("#bill-table tbody tr")).to_have_count(expected_rows)
    journey.checkpoint("inbox-search")


def open_bill(journey: Journey, *, supplier: str, reference: str) -> None:
    """Open the bill by its reference, the row's link to it; lands on its detail page."""
    page = journey.page
    page.locator("#bill-table tbody").get_by_role("link", name=reference, exact=True).click()
    page.wait_for_url(re.compile(r"/bills/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(supplier)
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    journey.checkpoint("bill-detail")


def open_menu(journey: Journey) -> None:
    """On a narrow screen the top bar's links are behind the Menu button: open it first."""
    menu = journey.page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()


def log_out(journey: Journey) -> None:
    page = journey.page
    open_menu(journey)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    journey.checkpoint("login")


def log_in(journey: Journey, *, email: str, password: str) -> None:
    """From the login page; a user with a linked company lands in the inbox."""
    page = journey.page
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(journey.url("/"))
    expect(page.get_by_role("heading", name="Unpaid bills")).to_be_visible()
    journey.checkpoint("inbox-after-login")


# --- staff, in the admin --------------------------------------------------------------------------


def admin_log_in(journey: Journey, *, email: str, password: str) -> None:
    page = journey.page
    page.goto(journey.url("/admin/login/"))
    journey.checkpoint("admin-login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(journey.url("/admin/"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    journey.checkpoint("admin-index")


def admin_open(journey: Journey, *, link: str, name: str) -> None:
    """Follow a link of the admin by its text (a model's changelist, an object's change page)."""
    page = journey.page
    page.locator("#content").get_by_role("link", name=link, exact=True).first.click()
    page.wait_for_load_state("load")
    expect(page.locator("#content h1")).to_be_visible()
    journey.checkpoint(name)


# --- bills, attachments, payments, suppliers, refresh (issues 4-6) ---------------------------------

# How long the worker may take to send an attachment or run a refresh, end to end.
WORKER_TIMEOUT_MS = 30_000


def _nav(journey: Journey, name: str) -> None:
    """Follow a link of the top bar, as a user moving between sections does."""
    open_menu(journey)
    journey.page.locator("header.topbar nav").get_by_role("link", name=name, exact=True).click()
    journey.page.wait_for_load_state("load")


def _choose_first(select: Any) -> str:
    """Pick the first real option of a <select> (not its empty label); returns its value."""
    value: str = select.locator("option:not([value=''])").first.get_attribute("value")
    select.select_option(value)
    return value


def create_bill_from_pdf(journey: Journey, *, pdf: Path, reference: str, currency: str) -> None:
    """Inbox -> New bill -> start from a PDF; the proposed fields are checked, the currency set
    (where the document did not say it), the line coded (the first account the form offers, then
    the first tax rate it offers for it: whatever the platform's chart), and the bill saved."""
    page = journey.page
    _nav(journey, "Bills")
    page.locator("[data-new-bill]").click()
    page.wait_for_url("**/bills/new/")
    page.get_by_role("link", name="Start from a PDF or image instead").click()
    page.wait_for_url("**/bills/new/from-document/")
    expect(page.get_by_role("heading", name="New bill from a document")).to_be_visible()
    journey.checkpoint("bill-from-document")

    page.locator("#id_document").set_input_files(pdf)
    page.get_by_role("button", name="Open the form").click()
    page.wait_for_url(re.compile(r"/bills/new/\?document="))
    expect(page.locator("[data-suggestions]")).to_be_visible()
    # What the text layer proposed is in the form, for the user to check.
    expect(page.locator("#id_reference")).to_have_value(reference)
    # The document's total includes tax: the proposed line adds up to it.
    expect(page.locator("[data-document-total] [data-match]")).to_be_visible()
    journey.checkpoint("bill-proposed")

    chosen = page.get_by_label("Currency", exact=True)
    if chosen.input_value() != currency:
        chosen.select_option(currency)
        page.wait_for_load_state("networkidle")
    account = page.locator("#id_lines-0-account")
    wanted = account.locator("option:not([value=''])").first.get_attribute("value") or ""
    if account.input_value() != wanted:
        if journey.javascript:
            # Choosing an account swaps in its tax rates: wait for them before picking one.
            with page.expect_response("**/bills/tax-rates/**"):
                account.select_option(wanted)
        else:
            account.select_option(wanted)
    _choose_first(page.locator("#id_lines-0-tax_rate"))
    # The totals recompute on the change and can grow a line ("The lines come to ... more"): on a
    # phone's long page that moved the button while it was clicked, and the click missed it. A
    # person sees the totals land and the button come into view before tapping it.
    page.wait_for_load_state("networkidle")
    create = page.get_by_role("button", name="Create bill")
    create.scroll_into_view_if_needed()
    create.click()
    page.wait_for_url(re.compile(r"/bills/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    journey.checkpoint("bill-created")


def attach_file(journey: Journey, *, path: Path) -> None:
    """On the bill's page: choose a file and upload it; it is listed, then sent to the ledger."""
    page = journey.page
    zone = page.locator("#attachments [data-dropzone]")
    zone.locator("input[type=file]").set_input_files(path)
    zone.get_by_role("button", name="Upload").click()
    row = page.locator("#attachments tr[data-attachment]").filter(has_text=path.name)
    expect(row).to_be_visible()
    # The worker sends it; with JavaScript the section polls, without the user reloads.
    deadline = time.monotonic() + WORKER_TIMEOUT_MS / 1000
    while row.get_attribute("data-sync") != "synced":
        assert time.monotonic() < deadline, f"{path.name} was not sent to the ledger"
        page.wait_for_timeout(500)
        if not journey.javascript:
            page.reload()
    journey.checkpoint("bill-attachment")


def _pay(journey: Journey, *, bank_account: str, amount: str | None) -> None:
    """The pay form (dialog or page) is open: fill it, review, confirm; ends on the bill's page."""
    page = journey.page
    scope = page.locator("dialog[open]") if journey.javascript else page.locator("main")
    expect(scope.locator('[data-step="form"]')).to_be_visible()
    scope.get_by_label("Pay from").select_option(label=bank_account)
    if amount is not None:
        scope.locator('input[name="amount"]').fill(amount)
    journey.checkpoint("pay-form")
    scope.get_by_role("button", name="Review payment").click()
    expect(scope.locator('[data-step="confirm"]')).to_be_visible()
    journey.checkpoint("pay-review")
    scope.get_by_role("button", name="Confirm payment").click()
    if journey.javascript:
        expect(scope.locator('[data-result="succeeded"]')).to_be_visible()
        journey.checkpoint("pay-result")
        scope.get_by_role("link", name="Done").click()
    page.wait_for_url(re.compile(r"/bills/\d+/$"))
    expect(page.locator("#bill-payments")).to_be_visible()


def pay_part_from_inbox(
    journey: Journey, *, reference: str, bank_account: str, amount: str
) -> None:
    """Find the bill in the inbox, pay part of it from its row (the dialog with JavaScript, the
    full page without); the bill's page then says what is still due."""
    _nav(journey, "Bills")
    search_inbox(journey, text=reference, expected_rows=1)
    journey.page.locator("#bill-table tbody").get_by_role(
        "link", name=f"Pay {reference}", exact=True
    ).click()
    if not journey.javascript:
        journey.page.wait_for_url(re.compile(r"/bills/\d+/pay/$"))
    _pay(journey, bank_account=bank_account, amount=amount)
    expect(journey.page.locator("main .status").first).to_have_text("Partially paid")
    journey.checkpoint("bill-part-paid")


def pay_the_rest(journey: Journey, *, bank_account: str) -> None:
    """From the bill's page: the amount proposed is what is still due; paying it settles the bill."""
    page = journey.page
    page.locator("a[data-pay-link]").click()
    if not journey.javascript:
        page.wait_for_url(re.compile(r"/bills/\d+/pay/$"))
    _pay(journey, bank_account=bank_account, amount=None)
    expect(page.locator("main .status").first).to_have_text("Paid")
    journey.checkpoint("bill-paid")


def paid_bill_left_the_inbox(journey: Journey, *, reference: str) -> None:
    """The paid bill is no longer among the unpaid ones, and the Paid status filter finds it."""
    page = journey.page
    _nav(journey, "Bills")
    search_inbox(journey, text=reference, expected_rows=0)
    page.get_by_label("Status").select_option(label="Paid")
    _submit_filters(journey)
    page.wait_for_url(re.compile(r"[?&]status=Paid"))
    rows = page.locator("#bill-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    journey.checkpoint("inbox-paid")


def search_suppliers(journey: Journey, *, text: str, expected: str) -> None:
    page = journey.page
    _nav(journey, "Suppliers")
    expect(page.get_by_role("heading", name="Suppliers", level=1)).to_be_visible()
    journey.checkpoint("suppliers")
    searches: list[str] = []
    page.on(
        "request",
        lambda request: searches.append(request.url) if "/suppliers/?" in request.url else None,
    )
    search = page.get_by_label("Search")
    search.press_sequentially(text, delay=20)
    if not journey.javascript:
        page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(rf"/suppliers/\?(.*&)?q={re.escape(quote_plus(text))}(&|$)"))
    # A search for part of the text, sent during a pause in typing, may still be on its way.
    page.wait_for_load_state("networkidle")
    rows = page.locator("#supplier-table tbody tr")
    expect(rows.filter(has_text=expected)).to_have_count(1)
    for row in rows.all():
        expect(row).to_contain_text(text, ignore_case=True)
    if journey.javascript:
        # Leaving the field searches nothing again: only typing and the checkboxes do.
        sent = len(searches)
        search.blur()
        page.wait_for_load_state("networkidle")
        assert len(searches) == sent, f"leaving the search field sent {searches[sent:]}"
        page.get_by_label("With unpaid bills").check()
        page.wait_for_url(re.compile(r"/suppliers/\?(.*&)?unpaid=on(&|$)"))
        page.wait_for_load_state("networkidle")
        expect(rows.filter(has_text=expected)).to_have_count(1)
        assert len(searches) == sent + 1, f"ticking a filter sent {searches[sent:]}"
    journey.checkpoint("suppliers-search")


def refresh_now(journey: Journey) -> None:
    """Sync health -> Refresh now: the progress page follows the run until it is done."""
    page = journey.page
    _nav(journey, "Sync")
    journey.checkpoint("sync-health")
    page.locator("[data-refresh-now]").click()
    page.wait_for_url(re.compile(r"/refresh/\d+/$"))
    # With JavaScript the page polls; without, it reloads itself (<noscript> meta refresh).
    expect(page.locator("[data-refresh-done]")).to_be_visible(timeout=WORKER_TIMEOUT_MS)
    journey.checkpoint("refresh-done")
    page.get_by_role("link", name="Go to your unpaid bills").click()
    page.wait_for_url(journey.url("/"))
    expect(page.get_by_role("heading", name="Unpaid bills")).to_be_visible()


def admin_open_first_row(journey: Journey, *, name: str) -> None:
    """On an admin changelist: open its first row's change page."""
    page = journey.page
    page.locator("#result_list tbody tr").first.locator("th a, td a").first.click()
    page.wait_for_url(re.compile(r"/change/$"))
    expect(page.locator("#content h1")).to_be_visible()
    journey.checkpoint(name)
