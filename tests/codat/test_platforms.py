"""The table of platform rules: complete, cited, and what the README shows."""

from __future__ import annotations

import json
import re
import string
from dataclasses import fields
from pathlib import Path

import pytest

from codat.platforms import (
    ALIASES,
    PLATFORMS,
    QUICKBOOKS_ONLINE,
    XERO,
    Messages,
    PlatformRules,
    content_type_for,
    rules_for,
)
from scripts.platform_table import BEGIN, END, table

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "specs" / "Codat-Sync-Payables.json").read_text())


def test_the_table_has_every_integration_the_spec_lists() -> None:
    listed = re.findall(r"\|\s*([A-Za-z ]+?)\s*\|\s*Yes\s*\|", SPEC["info"]["description"])

    assert sorted(listed) == sorted(p.name for p in PLATFORMS)
    assert [p.key for p in PLATFORMS] == ["gbol", "qhyg", "akxx", "knfz", "fbrh", "rwuv"]


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_every_rule_cites_its_source(rules: PlatformRules) -> None:
    rule_names = {f.name for f in fields(PlatformRules)} - {"key", "name", "sources"}

    assert set(rules.sources) == rule_names
    for rule, _value, source in rules.cited():
        assert source.strip(), rule
        if source.startswith("Inference"):
            assert len(source) > len("Inference: ") + 5, f"{rule}: an inference says why"


# The fields each message may fill in; a template naming any other field would raise when used.
MESSAGE_FIELDS = {
    "account_not_found": {"label"},
    "supplier_not_found": {"id"},
    "currency_not_enabled": {"currency"},
    "currency_not_suppliers": {"currency", "supplier_currency"},
    "bill_not_open": {"id", "status"},
    "too_many_lines": {"limit"},
    "duplicate_supplier": {"name"},
    "archived_supplier": {"id"},
    "bank_account_type": {"account_type"},
}


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_every_message_fills_only_the_fields_it_is_given(rules: PlatformRules) -> None:
    for field in fields(Messages):
        text = getattr(rules.messages, field.name)
        if text is None:
            continue
        named = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert named <= MESSAGE_FIELDS.get(field.name, set()), field.name


def test_a_rule_the_platform_has_comes_with_its_message() -> None:
    for rules in PLATFORMS:
        assert (rules.messages.due_before_issue is not None) == rules.due_date_not_before_issue
        assert (
            rules.messages.duplicate_reference is not None
        ) == rules.unique_reference_per_supplier


def test_aliases_and_unknown_keys() -> None:
    assert rules_for("ndsk") is QUICKBOOKS_ONLINE
    assert rules_for("mqjo") is XERO
    assert rules_for("zzzz") is XERO
    assert set(ALIASES) == {"ndsk", "mqjo"}


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_every_file_type_a_platform_takes_goes_out_with_its_own_media_type(
    rules: PlatformRules,
) -> None:
    for extension in rules.attachment_extensions:
        assert content_type_for(extension) != "application/octet-stream", extension


def test_the_readme_shows_the_table() -> None:
    readme = (ROOT / "README.md").read_text()

    shown = readme[readme.index(BEGIN) : readme.index(END) + len(END)]
    assert shown == table(), "README is stale: run scripts/platform_table.py"
