"""The roles migration: members from before roles keep what they could do."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError

from accounts.models import Membership
from tests.accounts.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0006_member_roles")


def test_a_member_from_before_roles_becomes_an_admin() -> None:
    company = CompanyFactory()
    owner = MembershipFactory(company=company)
    before = Membership.objects.create(company=company, user=UserFactory(), role="member")

    migration.roles_of_before(apps, None)

    before.refresh_from_db()
    owner.refresh_from_db()
    assert before.role == Membership.Role.ADMIN
    assert owner.role == Membership.Role.OWNER


def test_a_company_has_one_owner() -> None:
    company = CompanyFactory()
    MembershipFactory(company=company, role=Membership.Role.OWNER)

    with pytest.raises(IntegrityError):
        MembershipFactory(company=company, role=Membership.Role.OWNER)
