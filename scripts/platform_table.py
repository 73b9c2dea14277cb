"""Print the platform rules of codat/platforms.py as the README's Markdown table.

    .venv/bin/python scripts/platform_table.py            # the table the README holds
    .venv/bin/python scripts/platform_table.py --sources  # every rule with its source, per platform

tests/codat/test_platforms.py checks that the README holds exactly what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codat.platforms import MB, PLATFORMS, Ids, PlatformRules

BEGIN = "<!-- platform-rules:begin (scripts/platform_table.py) -->"
END = "<!-- platform-rules:end -->"


def _value(rule: str, value: object) -> str:
    if isinstance(value, Ids):
        return f"suppliers and bills: {value.suppliers}; accounts: {value.accounts}"
    if value is None:
        return "no limit" if rule.startswith("max_") else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if rule == "max_attachment_bytes" and isinstance(value, int):
        return f"{value // MB} MB"
    if isinstance(value, frozenset):
        if rule == "attachment_extensions":
            return f"{len(value)} types"
        return ", ".join(sorted(value))
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


ROWS = (
    ("Bill reference, at most", "max_reference_length"),
    ("Lines per bill", "max_line_items"),
    ("Tax on a line", "tax"),
    ("Bill statuses", "bill_statuses"),
    ("Bill currency must be the supplier's", "bill_currency_matches_supplier"),
    ("Due date not before issue date", "due_date_not_before_issue"),
    ("Reference unique per supplier", "unique_reference_per_supplier"),
    ("Attachment size, at most", "max_attachment_bytes"),
    ("Attachment types", "attachment_extensions"),
    ("Refuses application/octet-stream", "refuses_generic_upload"),
    ("Supplier currency", "supplier_currency"),
    ("Update with a null currency keeps it", "supplier_currency_null_keeps"),
    ("Updating an archived supplier", "archived_supplier_update"),
    ("Update without a supplier name", "supplier_name_on_update"),
    ("contactName kept on update", "contact_name_on_update"),
    ("Addresses per supplier", "max_supplier_addresses"),
    ("Supplier names unique", "unique_supplier_names"),
    ("Foreign payment without currencyRate", "missing_currency_rate"),
    ("Bank account types billpay may create", "creatable_bank_account_types"),
    ("Bank account needs a nominal code", "bank_account_code_required"),
    ("Bank numbers masked", "masks_bank_numbers"),
    ("Sandbox ledger's base currency", "base_currency"),
    ("Ids", "ids"),
)


def table(platforms: tuple[PlatformRules, ...] = PLATFORMS) -> str:
    head = "| Rule | " + " | ".join(f"{p.name} (`{p.key}`)" for p in platforms) + " |"
    rule = "|---" * (len(platforms) + 1) + "|"
    lines = [head, rule]
    for label, field in ROWS:
        cells = [_value(field, getattr(p, field)) for p in platforms]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join([BEGIN, *lines, END])


def sources(platforms: tuple[PlatformRules, ...] = PLATFORMS) -> str:
    out = []
    for p in platforms:
        out.append(f"### {p.name} (`{p.key}`)\n\n| Rule | Value | Source |\n|---|---|---|")
        for field, value, source in p.cited():
            shown = "platform texts" if field == "messages" else _value(field, value)
            out.append(f"| {field} | {shown} | {source} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(sources() if "--sources" in sys.argv else table())
