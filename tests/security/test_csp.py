"""The Content-Security-Policy allows this site only, and no template needs more than that."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

TEMPLATES = Path(settings.BASE_DIR) / "templates"
pytestmark = pytest.mark.django_db


def _policy(client: Client, url: str) -> dict[str, list[str]]:
    header = client.get(url)["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/"])
def test_every_page_carries_a_self_only_policy(client: Client, url: str) -> None:
    policy = _policy(client, url)

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    everything = " ".join(v for values in policy.values() for v in values)
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything
    assert "*" not in everything


def test_forms_may_lead_only_here_or_to_the_ledgers_consent_page(client: Client) -> None:
    assert set(_policy(client, "/accounts/login/")["form-action"]) <= {
        "'self'",
        "http://127.0.0.1:8000",
        "https://link-api.codat.io",
        "https://link.codat.io",
    }


def test_htmx_is_told_not_to_inject_its_indicator_style(client: Client) -> None:
    html = client.get("/accounts/login/").text
    found = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["includeIndicatorStyles"] is False
    # Nor copy a style attribute while settling swapped content (an inline style, refused).
    assert "style" not in config["attributesToSettle"]
    assert {"class", "width", "height"} <= set(config["attributesToSettle"])
    assert html.index('name="htmx-config"') < html.index("htmx-2.min.js")


# What the policy refuses, found in the template sources (the browser journey finds it at run time
# on the pages it visits; this covers every template, including pages the journey does not reach).
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline <style>": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "inline event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\shx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize(
    "template",
    sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")),
)
def test_no_template_needs_an_inline_script_or_style(template: str) -> None:
    source = (TEMPLATES / template).read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(source)]
    assert not found, f"{template} has {', '.join(found)}: move it to static/js/app.js or app.css"
