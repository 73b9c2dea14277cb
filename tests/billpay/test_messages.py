"""Messages after an action are announced: a success as a status, a problem as an alert."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def _page_with(level: int, text: str, user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    messages.add_message(request, level, text)
    return render_to_string("base.html", request=request)


@pytest.mark.parametrize(
    ("level", "role"),
    [
        (messages.SUCCESS, "status"),
        (messages.INFO, "status"),
        (messages.WARNING, "alert"),
        (messages.ERROR, "alert"),
    ],
)
def test_a_message_carries_the_role_that_announces_it(level: int, role: str, user: Any) -> None:
    html = _page_with(level, "Northwind was added to the ledger.", user)

    # On a span inside the item: a role on the <li> itself would leave the <ul> with no list items
    # (axe "list", serious).
    assert f'<span role="{role}">Northwind was added to the ledger.</span></li>' in html
