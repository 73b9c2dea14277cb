"""Pages show only the controls the member's role may use (accounts.context_processors: the
decision is accounts.permissions'); the views refuse the rest anyway (the permission matrix)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Membership
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

Role = Membership.Role


def _as(role: str, linked) -> Client:
    client = Client()
    member = UserFactory()
    MembershipFactory(user=member, company=linked.company, role=role)
    client.force_login(member)
    return client


def _pages(client: Client, linked) -> dict[str, str]:
    bill = linked.bills()[0]
    supplier = linked.supplier()
    return {
        "inbox": client.get("/").content.decode(),
        "bill": client.get(f"/bills/{bill.pk}/").content.decode(),
        "suppliers": client.get("/suppliers/").content.decode(),
        "supplier": client.get(f"/suppliers/{supplier.pk}/").content.decode(),
        "payments": client.get("/payments/").content.decode(),
    }


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.VIEWER, [], ["data-new-bill", "data-pay-link", "data-edit-bill", "data-dropzone",
                           "data-supplier-create", "data-supplier-edit", "data-refresh-now",
                           "Add a bank account"]),
        (Role.CLERK, ["data-new-bill", "data-edit-bill", "data-dropzone", "data-supplier-create",
                      "data-refresh-now"], ["data-pay-link", "Add a bank account"]),
        (Role.PAYER, ["data-pay-link", "data-refresh-now"],
         ["data-new-bill", "data-edit-bill", "data-supplier-create", "Add a bank account"]),
        (Role.ADMIN, ["data-new-bill", "data-pay-link", "data-supplier-create",
                      "Add a bank account"], []),
    ],
)  # fmt: skip
def test_a_role_sees_the_controls_it_may_use(linked, role, shown, hidden) -> None:
    html = "".join(_pages(_as(role, linked), linked).values())

    for control in shown:
        assert control in html, f"{role} should see {control}"
    for control in hidden:
        assert control not in html, f"{role} should not see {control}"
