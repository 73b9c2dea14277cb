"""Every URL pattern the resolver knows, crawled three ways: as an anonymous visitor (sent to log
in), as a forger without a CSRF token (refused), and as a user of one company holding another
company's object ids (404).

The patterns are read from `get_resolver()` at collection time, so a URL added later is crawled
without anyone listing it here. For the cross-company check each URL kwarg gets its object from
REGISTRY; a kwarg name the registry does not know fails the test, so no new URL slips through
unchecked: add a factory for it (`"payment_id": _payment`) or, for a public page, an entry below.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from accounts.models import Company, Invitation, Membership
from payables.models import BillDocument, ImportRun
from tests.accounts.factories import MembershipFactory
from tests.payables.factories import (
    AttachmentFactory,
    BillFactory,
    ImportRunFactory,
    PaymentFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/?next="
ADMIN_LOGIN = "/admin/login/?next="

# Pages anyone may open: logging in and out, signing up, resetting a password; the sandbox ledger,
# which stands in for Codat (its API authenticates with the API key, its consent pages are the
# platform's own); the admin's login page. Webhook endpoints (any route with "webhook" in it) are
# public too: the ledger calls them, authenticated by the webhook secret.
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "sandbox:api",
    "sandbox:consent",
    "sandbox:hosted-link",
    "admin:login",
    "admin:logout",
    # An invitation's link: the token in it is the credential, and the pages check the signed-in
    # user's address against the invited one (tests/accounts/test_invitations.py).
    "accounts:invitation-detail",
    "accounts:invitation-accept",
    "accounts:invitation-signup",
}
# POSTs without a CSRF token are refused everywhere but here: machine-to-machine endpoints that
# authenticate otherwise (API key, webhook signature) and cannot hold a CSRF cookie.
CSRF_EXEMPT = {"sandbox:api"}


def _is_webhook(route: Route) -> bool:
    return "webhook" in route.path


# --- Objects for URL kwargs: another company's, so that every lookup must 404 ------------------


def _bill(company: Company) -> int:
    return int(BillFactory(company=company).pk)


def _import_run(company: Company) -> int:
    # A finished run: a company has at most one live run, and the crawler makes several.
    return int(ImportRunFactory(company=company, status=ImportRun.Status.FAILED).pk)


def _connection(company: Company) -> int:
    return int(company.connections.get().pk)


def _company(company: Company) -> int:
    return int(company.pk)


def _supplier(company: Company) -> int:
    return int(SupplierFactory(company=company).pk)


def _attachment(company: Company) -> int:
    return int(AttachmentFactory(company=company, name="theirs.pdf", content=b"%PDF-1.4").pk)


def _payment(company: Company) -> int:
    return int(PaymentFactory(company=company, bank_account__name="Theirs").pk)


def _document(company: Company) -> str:
    document = BillDocument(
        company=company, name="theirs.pdf", content_type="application/pdf", size=8
    )
    document.file.save("theirs.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return str(document.token)


def _invitation(company: Company) -> int:
    return int(
        Invitation.objects.create(
            company=company,
            email=f"invitee-{uuid.uuid4().hex[:8]}@example.com",
            role="viewer",
            token_hash=uuid.uuid4().hex,
            expires_at=timezone.now() + Invitation.VALID_FOR,
        ).pk
    )


def _membership(company: Company) -> int:
    # A clerk: not the owner, whom no role change or deactivation may touch.
    return int(MembershipFactory(company=company, role=Membership.Role.CLERK).pk)


REGISTRY: dict[str, Callable[[Company], int | str]] = {
    "bill_id": _bill,
    "run_id": _import_run,
    "connection_id": _connection,
    "company_id": _company,
    "supplier_id": _supplier,
    "attachment_id": _attachment,
    "payment_id": _payment,
    "token": _document,
    "invitation_id": _invitation,
    "membership_id": _membership,
}

# Values for the kwargs of routes outside the company checks (public pages, the staff-only admin),
# where any well-formed value reaches the check under test.
ADMIN_VALUES = {
    "id": "1",
    "object_id": "1",
    "content_type_id": "1",
    "app_label": "accounts",
    "url": "x/",
    "payment_id": "1",
}


# --- The resolver, walked ------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "namespace:<unnamed>"
    path: str  # the pattern as written, prefixes included
    pattern: URLPattern
    converters: tuple[tuple[str, Any], ...]

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def kwargs(self) -> list[str]:
        """The kwarg names, from route syntax (<int:bill_id>) or regex groups ((?P<app_label>...))."""
        return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.path)]

    def url(self, values: dict[str, Any]) -> str:
        """The pattern with each kwarg replaced by its value (route syntax or regex groups)."""
        text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.path)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
        return "/" + text.replace("^", "").replace("$", "")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        else:
            converters = (
                getattr(entry.pattern, "converters", {})
                if isinstance(entry.pattern, RoutePattern)
                else {}
            )
            name = f"{namespace}:{entry.name or '<unnamed>'}".lstrip(":")
            yield Route(name, prefix + str(entry.pattern), entry, tuple(converters.items()))


ROUTES = list(_walk(get_resolver()))


def _placeholder(route: Route, kwarg: str) -> Any:
    """A well-formed value for a kwarg of a public or admin route."""
    if route.is_admin:
        if kwarg not in ADMIN_VALUES:
            pytest.fail(
                f"{route.path}: no admin value for URL kwarg {kwarg!r}; add it to ADMIN_VALUES"
            )
        return ADMIN_VALUES[kwarg]
    converter = dict(route.converters).get(kwarg)
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    return "x"


def _any_url(route: Route) -> str:
    return route.url({kwarg: _placeholder(route, kwarg) for kwarg in route.kwargs})


def _is_public(route: Route) -> bool:
    return route.name in PUBLIC or _is_webhook(route)


def _send(client: Client, url: str) -> Any:
    """GET, or POST where the view takes only POST (an empty form: the checks come first)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def test_the_crawler_sees_every_app() -> None:
    names = {r.name for r in ROUTES}
    assert {"payables:bill-list", "payables:bill-detail", "accounts:company-settings"} <= names
    assert {"sandbox:api", "admin:index"} <= names
    assert len(ROUTES) > 50


def _failures(check: Callable[[Route], str | None], routes: list[Route]) -> str:
    """Run `check` over every route; one line per route that failed it ("" when none did).

    One test walks all routes (the admin alone has over a hundred): a test per route would spend
    most of its time setting fixtures up, and this message still names every failing route."""
    lines = [f"{r.name} {r.path}: {problem}" for r in routes if (problem := check(r))]
    return "\n".join(lines)


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    def check(route: Route) -> str | None:
        response = _send(client, _any_url(route))
        login = ADMIN_LOGIN if route.is_admin else LOGIN
        if response.status_code == 302 and response["Location"].startswith(login):
            return None
        return f"answered {response.status_code} {response.get('Location', '')} to a stranger"

    routes = [r for r in ROUTES if not _is_public(r)]
    assert len(routes) > 40
    assert not (failures := _failures(check, routes)), failures


def test_a_post_without_a_csrf_token_is_refused(user: Any, company: Company) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    def check(route: Route) -> str | None:
        if _is_public(route) or route.is_admin:
            url = _any_url(route)
        else:
            url = route.url({kwarg: _object_for(route, kwarg, company) for kwarg in route.kwargs})
        response = client.post(url, {"anything": "1"})
        return None if response.status_code == 403 else f"answered {response.status_code}"

    routes = [r for r in ROUTES if r.name not in CSRF_EXEMPT and not _is_webhook(r)]
    assert not (failures := _failures(check, routes)), failures


def _object_for(route: Route, kwarg: str, company: Company) -> int | str:
    make = REGISTRY.get(kwarg)
    if make is None:
        pytest.fail(
            f"{route.name} ({route.path}) takes URL kwarg {kwarg!r}, which the crawler's REGISTRY "
            f"does not know: add a factory that makes one for a given company "
            f"(REGISTRY[{kwarg!r}] = ...) in tests/security/test_url_crawler.py"
        )
    return make(company)


SCOPED = [r for r in ROUTES if not _is_public(r) and not r.is_admin and r.kwargs]


@pytest.mark.parametrize("route", SCOPED, ids=[f"{r.name} {r.path}" for r in SCOPED])
def test_another_companys_ids_give_404(
    client_logged_in: Client, other_company: Company, route: Route
) -> None:
    url = route.url({kwarg: _object_for(route, kwarg, other_company) for kwarg in route.kwargs})

    response = _send(client_logged_in, url)

    assert response.status_code == 404, f"{url} with another company's ids: {response.status_code}"


def test_the_admin_is_for_staff_only(client_logged_in: Client) -> None:
    """The admin spans companies by design; a company's user who is not staff never gets in."""

    def check(route: Route) -> str | None:
        response = _send(client_logged_in, _any_url(route))
        if response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN):
            return None
        return f"answered {response.status_code} to a non-staff user"

    routes = [r for r in ROUTES if r.is_admin and not _is_public(r)]
    assert not (failures := _failures(check, routes)), failures


def test_a_url_kwarg_the_registry_does_not_know_fails_the_crawl(company: Company) -> None:
    route = Route("payables:widget-detail", "widgets/<int:widget_id>/", ROUTES[0].pattern, ())

    with pytest.raises(pytest.fail.Exception, match=r"'widget_id'.*REGISTRY"):
        _object_for(route, "widget_id", company)
