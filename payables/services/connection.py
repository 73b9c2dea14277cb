"""The one guard every ledger write and refresh goes through: the company's linked connection,
or a `NotConnected` error that says what to do."""

from __future__ import annotations

from accounts.models import Company, Connection
from accounts.services import company_connection
from payables.errors import NotConnected

NO_CONNECTION_MESSAGE = "Connect your accounting platform first: there is no linked connection."


def reconnect_message(connection: Connection) -> str:
    """Why billpay cannot reach the ledger through this (not linked) connection, and what to do."""
    platform = connection.platform_name or "your accounting platform"
    if connection.status == Connection.Status.DEAUTHORIZED:
        return f"Access to {platform} was revoked, so bills are no longer kept up to date. Reconnect to resume."
    return f"The connection to {platform} is {connection.get_status_display().lower()}, so bills are no longer kept up to date. Reconnect to resume."


def require_linked_connection(company: Company) -> Connection:
    """The connection billpay talks to the company's ledger through (the most recently linked
    one), or NotConnected: there is none, or the one there is was revoked or unlinked."""
    connection = company_connection(company)
    if connection is None:
        raise NotConnected(NO_CONNECTION_MESSAGE)
    if not connection.is_linked:
        raise NotConnected(reconnect_message(connection))
    return connection
