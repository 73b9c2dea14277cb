"""The accounting platforms the sandbox ledger can pretend to be. Their rules are codat.platforms'
table, the one billpay checks its input against; this module adds what only an emulated Codat
needs (the integration and source ids a connection reports)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from codat.platforms import ALIAS_NAMES, ALIASES, PlatformRules, rules_for
from codat.platforms import PLATFORMS as RULES


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str
    rules: PlatformRules
    integration_id: str
    source_id: str

    @property
    def ledger_name(self) -> str:
        """How validation messages name the platform ("was not found in Xero")."""
        return self.rules.name


def _platform(key: str, name: str, rules: PlatformRules) -> Platform:
    # Stable per platform, like Codat's integration and source ids.
    return Platform(
        key=key,
        name=name,
        rules=rules,
        integration_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"codat-integration:{key}")),
        source_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"codat-source:{key}")),
    )


PLATFORMS: dict[str, Platform] = {
    **{rules.key: _platform(rules.key, rules.name, rules) for rules in RULES},
    **{key: _platform(key, ALIAS_NAMES[key], rules) for key, rules in ALIASES.items()},
}


def platform_for(key: str) -> Platform:
    """The platform for a key; keys the sandbox does not know behave like Xero under their key."""
    known = PLATFORMS.get(key)
    if known is not None:
        return known
    return _platform(key, key.upper(), rules_for(key))
