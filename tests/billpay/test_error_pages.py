"""With DEBUG off, 403, 404, 500 and a refused CSRF token answer in billpay's own layout, say what
happened in words a user understands, and offer a way back."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.billpay.error_urls"


def _page(response) -> str:
    html = response.content.decode()
    assert '<header class="topbar">' in html  # billpay's layout, not Django's plain page
    assert 'href="/static/css/app.css"' in html
    return html


def test_it_shows_404_in_the_layout_with_a_way_back(client_logged_in: Client) -> None:
    response = client_logged_in.get("/bills/999999/")

    assert response.status_code == 404
    html = _page(response)
    assert "<h1>Page not found</h1>" in html
    assert '<a href="/">Back to your bills</a>' in html


def test_it_offers_an_anonymous_visitor_the_login(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert '<a href="/accounts/login/">Log in to billpay</a>' in _page(response)


def test_it_shows_403_in_the_layout(client_logged_in: Client) -> None:
    response = client_logged_in.get("/test-errors/forbidden/")

    assert response.status_code == 403
    html = _page(response)
    assert "<h1>You can't open this page</h1>" in html
    assert '<a href="/">Back to your bills</a>' in html


def test_it_explains_a_refused_csrf_token(user) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    html = _page(response)
    assert "<h1>This form has expired</h1>" in html
    assert "nothing was saved" in html
    assert '<a href="/">Back to your bills</a>' in html


def test_it_shows_500_in_the_layout(client_logged_in: Client) -> None:
    client_logged_in.raise_request_exception = False

    response = client_logged_in.get("/test-errors/broken/")

    assert response.status_code == 500
    html = _page(response)
    assert "<h1>Something went wrong</h1>" in html
    assert '<a href="/">Back to your bills</a>' in html


@pytest.mark.django_db(databases=[])
def test_the_500_page_needs_no_request_and_no_database() -> None:
    """Django renders it with no context at all; pytest-django refuses any query in this test."""
    html = render_to_string("500.html")

    assert "<h1>Something went wrong</h1>" in html
    assert "Log in" not in html  # it cannot know who is signed in, so it does not guess
