"""Each platform's seeded ledger (`Profile`): its chart of accounts, tax rates and bank accounts
as that platform names, codes and numbers them, and where its business is. One module a
platform; `profile_for` also answers for Codat's other keys of the same platforms (ndsk, mqjo)."""

from __future__ import annotations

from typing import Final

from codat.platforms import rules_for
from sandbox.seed.data import Profile
from sandbox.seed.profiles.freeagent import FREEAGENT_PROFILE
from sandbox.seed.profiles.intacct import INTACCT_PROFILE
from sandbox.seed.profiles.netsuite import NETSUITE_PROFILE
from sandbox.seed.profiles.quickbooks import QUICKBOOKS_PROFILE
from sandbox.seed.profiles.xero import XERO_PROFILE
from sandbox.seed.profiles.zoho import ZOHO_PROFILE

PROFILES: Final = {
    profile.key: profile
    for profile in (
        XERO_PROFILE,
        QUICKBOOKS_PROFILE,
        NETSUITE_PROFILE,
        INTACCT_PROFILE,
        FREEAGENT_PROFILE,
        ZOHO_PROFILE,
    )
}


def profile_for(platform_key: str) -> Profile:
    """The seed profile of a platform key: its platform's (Xero's for a key the table does not
    know, as codat.platforms.rules_for holds it to Xero's rules)."""
    return PROFILES[rules_for(platform_key).key]


__all__ = ["PROFILES", "profile_for"]
