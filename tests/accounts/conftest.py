"""Fixtures for the onboarding tests: companies and connections that exist in the sandbox ledger."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Company, Connection, User
from accounts.services import company_create, connection_create, connection_refresh
from sandbox import services as sandbox
from sandbox.models import LedgerConnection
from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # These tests sign up and log in a lot; the real hasher's cost is not what they test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def small_sandbox_seed(settings: Any) -> None:
    # A first consent fills the sandbox platform with demo data; a few rows are enough here.
    settings.SANDBOX_LINK_SEED_BILLS = 2
    settings.SANDBOX_LINK_SEED_SUPPLIERS = 1


@pytest.fixture
def newcomer(db: None) -> User:
    """A user with no company yet."""
    return UserFactory(email="ada@example.com", full_name="Ada Lovelace")


@pytest.fixture
def ledger_company(newcomer: User) -> Company:
    """The newcomer's company, created in the sandbox ledger too, with no connection."""
    return company_create(user=newcomer, name="Lovelace Engines Ltd")


@pytest.fixture
def pending_connection(ledger_company: Company) -> Connection:
    return connection_create(company=ledger_company, platform_key="gbol")


@pytest.fixture
def linked_connection(pending_connection: Connection) -> Connection:
    consent(pending_connection, granted=True)
    return connection_refresh(connection=pending_connection)


@pytest.fixture
def ledger_client(client: Client, newcomer: User, ledger_company: Company) -> Client:
    client.force_login(newcomer)
    return client


def ledger_connection(connection: Connection) -> LedgerConnection:
    return LedgerConnection.objects.get(pk=connection.codat_connection_id)


def consent(connection: Connection, *, granted: bool) -> str:
    """Answer the sandbox's consent page; returns the callback URL it redirects to."""
    return sandbox.connection_consent(connection=ledger_connection(connection), granted=granted)
