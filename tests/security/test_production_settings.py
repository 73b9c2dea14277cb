"""Production mode (DEBUG=0) as a browser meets it: secure cookies, HSTS, the CSP and the other
security headers on a real response, and login throttling on. Settings are read once per process,
so the check runs `manage.py shell` in a subprocess with a production environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.billpay.test_settings import SETTINGS_VARIABLES

REPO = Path(__file__).resolve().parent.parent.parent

PROBE = """
import json
from django.conf import settings as s
from django.test import Client
client = Client()
client.defaults["wsgi.url_scheme"] = "https"
page = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "status": page.status_code,
    "headers": dict(page.headers),
    "cookies": {name: dict(c.items()) for name, c in page.cookies.items()},
    "settings": {k: getattr(s, k) for k in (
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "AXES_ENABLED", "X_FRAME_OPTIONS")},
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="billpay.example.com,testserver",
        SANDBOX_API_KEY=secrets.token_urlsafe(32),
        BILLPAY_VAR_DIR=str(tmp_path_factory.mktemp("var")),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_cookies_are_secure_and_hsts_is_a_year_with_subdomains(production: dict) -> None:  # type: ignore[type-arg]
    s = production["settings"]
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"]
    assert s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_HSTS_PRELOAD"]
    assert s["AXES_ENABLED"]


def test_a_page_carries_every_security_header(production: dict) -> None:  # type: ignore[type-arg]
    assert production["status"] == 200
    headers = production["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"].split("; ")
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csrf = production["cookies"]["csrftoken"]
    assert csrf["secure"] is True
