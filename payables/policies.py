"""Approval policies as plain values: what a policy says, which rule a bill meets, and whether a
change to a bill raises what the company is exposed to.

No database here. A policy version stores its rules as JSON (`Policy.as_json()`), so that a
version never changes once saved and a request keeps the steps it started with; this module reads
that JSON back (`Policy.from_json`) and decides. `payables.services.approvals` does the rest.

Rules are tried in order and the first whose every condition holds wins; when none does, the
policy's fallback applies (no approval, or its own steps). Conditions:

- amount: the bill's total in the company's base currency, at least `min_amount` and below
  `max_amount`. A foreign bill converts with its currency rate (foreign x rate = base, as the
  Bill Pay API's examples show); a foreign bill without a rate fails closed: its amount counts
  as larger than any threshold, so a rule "at least X" meets it and a rule "below X" does not.
- suppliers: the bill's supplier is one of them (ledger ids).
- accounts: any line of the bill is coded to one of them (ledger ids).
- sources: where the bill came from: entered in billpay, pulled from the ledger, or captured
  from a document.

Steps are who must approve: named users, everyone with a role, or a group; each step needs any
one of them, N of them, or all. A rule's steps run one after the other (sequential) or all at once
(parallel).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    BILLPAY = "billpay"
    LEDGER = "ledger"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    Source.BILLPAY: "Entered in billpay",
    Source.LEDGER: "Pulled from the accounting platform",
    Source.DOCUMENT: "Captured from a document",
}


class Approvers(StrEnum):
    USERS = "users"
    ROLE = "role"
    GROUP = "group"


class Order(StrEnum):
    SEQUENTIAL = "sequential"
    PARALLEL = "parallel"


ALL = "all"


class PolicyError(ValueError):
    """A policy that cannot be saved; the message says what to change and is safe to show."""


@dataclass(frozen=True, slots=True)
class Step:
    """Who approves at one step: `required` of the eligible people (an int), or "all"."""

    name: str
    approvers: Approvers
    users: tuple[int, ...] = ()
    role: str = ""
    group: int | None = None
    required: int | str = 1

    def needed(self, eligible: int) -> int:
        """How many approvals complete the step when `eligible` people may give one."""
        return eligible if self.required == ALL else int(self.required)

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        names = names or {}
        if self.approvers is Approvers.USERS:
            who = ", ".join(names.get(f"user:{u}", f"user {u}") for u in self.users)
        elif self.approvers is Approvers.ROLE:
            who = names.get(f"role:{self.role}", self.role) + "s"
        else:
            who = names.get(f"group:{self.group}", f"group {self.group}")
        if self.required == ALL:
            return f"all of {who}"
        if self.required == 1:
            return f"any 1 of {who}"
        return f"{self.required} of {who}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "approvers": str(self.approvers),
            "users": list(self.users),
            "role": self.role,
            "group": self.group,
            "required": self.required,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        try:
            approvers = Approvers(str(data.get("approvers")))
        except ValueError:
            raise PolicyError("Choose who approves each step: people, a role or a group.") from None
        required = data.get("required", 1)
        if required != ALL:
            try:
                required = int(required)
            except (TypeError, ValueError):
                raise PolicyError('A step needs a number of approvals, or "all".') from None
            if required < 1:
                raise PolicyError("A step needs at least one approval.")
        users = tuple(int(u) for u in data.get("users") or ())
        role = str(data.get("role") or "")
        group = data.get("group")
        if approvers is Approvers.USERS and not users:
            raise PolicyError("A step of named people needs at least one person.")
        if approvers is Approvers.USERS and required != ALL and int(required) > len(users):
            raise PolicyError(
                f"A step names {len(users)} people but asks for {required} approvals."
            )
        if approvers is Approvers.ROLE and not role:
            raise PolicyError("A step by role needs a role.")
        if approvers is Approvers.GROUP and group in (None, ""):
            raise PolicyError("A step by group needs a group.")
        return cls(
            name=str(data.get("name") or "").strip()[:80] or "Approval",
            approvers=approvers,
            users=users,
            role=role,
            group=int(group) if group not in (None, "") else None,
            required=required,
        )


@dataclass(frozen=True, slots=True)
class Conditions:
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    suppliers: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()
    sources: frozenset[Source] = frozenset()

    @property
    def empty(self) -> bool:
        return (
            self.min_amount is None
            and self.max_amount is None
            and not self.suppliers
            and not self.accounts
            and not self.sources
        )

    def met_by(self, facts: BillFacts) -> bool:
        amount = facts.base_amount
        if self.min_amount is not None and amount is not None and amount < self.min_amount:
            return False
        # No base amount (a foreign bill without a rate) is larger than any threshold.
        if self.max_amount is not None and (amount is None or amount >= self.max_amount):
            return False
        if self.suppliers and facts.supplier not in self.suppliers:
            return False
        if self.accounts and not self.accounts.intersection(facts.accounts):
            return False
        return not (self.sources and facts.source not in self.sources)

    def as_json(self) -> dict[str, Any]:
        return {
            "min_amount": None if self.min_amount is None else str(self.min_amount),
            "max_amount": None if self.max_amount is None else str(self.max_amount),
            "suppliers": sorted(self.suppliers),
            "accounts": sorted(self.accounts),
            "sources": sorted(str(s) for s in self.sources),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Conditions:
        low, high = _amount(data.get("min_amount")), _amount(data.get("max_amount"))
        if low is not None and high is not None and high <= low:
            raise PolicyError("A rule's upper amount must be above its lower amount.")
        try:
            sources = frozenset(Source(s) for s in data.get("sources") or ())
        except ValueError:
            raise PolicyError("Unknown bill source in a rule.") from None
        return cls(
            min_amount=low,
            max_amount=high,
            suppliers=frozenset(str(s) for s in data.get("suppliers") or ()),
            accounts=frozenset(str(a) for a in data.get("accounts") or ()),
            sources=sources,
        )


def _amount(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PolicyError(f"{value!r} is not an amount.") from None
    if not amount.is_finite() or amount < 0:
        raise PolicyError("Amounts in a rule are zero or more.")
    return amount


@dataclass(frozen=True, slots=True)
class Rule:
    """Conditions and the steps a bill that meets them needs; no steps: no approval needed."""

    name: str
    conditions: Conditions
    steps: tuple[Step, ...] = ()
    order: Order = Order.SEQUENTIAL

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "conditions": self.conditions.as_json(),
            "steps": [s.as_json() for s in self.steps],
            "order": str(self.order),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, default_name: str) -> Rule:
        try:
            order = Order(data.get("order") or Order.SEQUENTIAL)
        except ValueError:
            raise PolicyError("Steps run one after the other or all at once.") from None
        return cls(
            name=str(data.get("name") or "").strip()[:80] or default_name,
            conditions=Conditions.from_json(data.get("conditions") or {}),
            steps=tuple(Step.from_json(s) for s in data.get("steps") or ()),
            order=order,
        )


FALLBACK = -1  # the rule index that says "no rule met: the fallback applied"


@dataclass(frozen=True, slots=True)
class Policy:
    rules: tuple[Rule, ...]
    fallback: Rule = field(default_factory=lambda: Rule("No rule met", Conditions()))

    def route(self, facts: BillFacts) -> tuple[int, Rule]:
        """The first rule the bill meets, with its index, else (FALLBACK, the fallback)."""
        for index, rule in enumerate(self.rules):
            if rule.conditions.met_by(facts):
                return index, rule
        return FALLBACK, self.fallback

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": [r.as_json() for r in self.rules],
            "fallback": self.fallback.as_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Policy:
        rules = tuple(
            Rule.from_json(r, default_name=f"Rule {i}")
            for i, r in enumerate(data.get("rules") or (), start=1)
        )
        fallback_data = dict(data.get("fallback") or {})
        fallback_data["conditions"] = {}  # the fallback has no conditions of its own
        fallback = Rule.from_json(fallback_data, default_name="No rule met")
        for rule in rules:
            if rule.conditions.empty:
                raise PolicyError(
                    f"“{rule.name}” has no conditions, so it meets every bill; "
                    "give it one, or make its steps the fallback."
                )
        return cls(rules=rules, fallback=fallback)


# --- What a bill is, for routing and for noticing that it changed ---------------------------------


@dataclass(frozen=True, slots=True)
class BillFacts:
    """What routing looks at and what a request keeps as its snapshot."""

    supplier: str
    currency: str
    total: Decimal
    accounts: frozenset[str]
    base_currency: str
    currency_rate: Decimal | None
    source: Source
    due_date: dt.date | None = None

    @property
    def base_amount(self) -> Decimal | None:
        return base_amount(self.total, self.currency, self.currency_rate, self.base_currency)

    def snapshot(self) -> dict[str, Any]:
        return {
            "supplier": self.supplier,
            "currency": self.currency,
            "total": str(self.total),
            "accounts": sorted(self.accounts),
            "currency_rate": None if self.currency_rate is None else str(self.currency_rate),
        }


def base_amount(
    total: Decimal, currency: str, rate: Decimal | None, base_currency: str
) -> Decimal | None:
    """The total in the base currency: itself when the bill is in it (or the company's base is
    not known yet), total x rate otherwise, None without a rate."""
    if not base_currency or currency.upper() == base_currency.upper():
        return total
    if rate is None or rate <= 0:
        return None
    return total * rate


def exposure_raised(before: Mapping[str, Any], after: BillFacts) -> list[str]:
    """What in the change from the snapshot `before` raises the company's exposure, in words; an
    empty list when nothing does (a lower total, the same supplier, currency and accounts)."""
    reasons: list[str] = []
    if before.get("supplier") != after.supplier:
        reasons.append("the supplier changed")
    if str(before.get("currency", "")).upper() != after.currency.upper():
        reasons.append(f"the currency changed from {before.get('currency')} to {after.currency}")
    elif Decimal(str(before.get("total", "0"))) < after.total:
        reasons.append(f"the total went up from {before.get('total')} to {after.total}")
    if set(before.get("accounts") or ()) != set(after.accounts):
        reasons.append("a line's account changed")
    return reasons


def describe_conditions(
    conditions: Conditions, *, base_currency: str, names: Mapping[str, str] | None = None
) -> str:
    """One line for the policy page and the bill's trail: "at least GBP 1,000 and from Acme"."""
    names = names or {}
    parts: list[str] = []
    if conditions.min_amount is not None:
        parts.append(f"{base_currency} {conditions.min_amount:,} or more")
    if conditions.max_amount is not None:
        parts.append(f"below {base_currency} {conditions.max_amount:,}")
    if conditions.suppliers:
        parts.append("from " + _names(conditions.suppliers, "supplier", names))
    if conditions.accounts:
        parts.append("coded to " + _names(conditions.accounts, "account", names))
    if conditions.sources:
        parts.append(
            "; ".join(SOURCE_LABELS[s].lower() for s in sorted(conditions.sources, key=str))
        )
    return " and ".join(parts) or "every bill"


def _names(ids: Iterable[str], kind: str, names: Mapping[str, str]) -> str:
    return " or ".join(sorted(names.get(f"{kind}:{i}", i) for i in ids))


def steps_summary(rule: Rule, names: Mapping[str, str] | None = None) -> Sequence[str]:
    return [s.describe(names) for s in rule.steps]
