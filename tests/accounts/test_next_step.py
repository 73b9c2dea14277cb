"""onboarding_next_step: where a user without a linked company goes next."""

from __future__ import annotations

import pytest

from accounts.models import Company, Connection
from accounts.services import onboarding_next_step
from tests.accounts.factories import CompanyFactory, ConnectionFactory

pytestmark = pytest.mark.django_db


def test_no_company_goes_to_company_create() -> None:
    assert onboarding_next_step(None) == "/accounts/companies/new/"


def test_no_connection_goes_to_the_platform_choice() -> None:
    assert onboarding_next_step(CompanyFactory()) == "/onboarding/"


@pytest.mark.parametrize(
    "status",
    [
        Connection.Status.PENDING_AUTH,
        Connection.Status.UNLINKED,
        Connection.Status.DEAUTHORIZED,
    ],
)
def test_no_linked_connection_goes_to_the_platform_choice(status: str) -> None:
    connection = ConnectionFactory(status=status)

    assert onboarding_next_step(connection.company) == "/onboarding/"


def test_a_linked_company_has_no_next_step(company: Company) -> None:
    assert onboarding_next_step(company) is None
