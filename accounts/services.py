"""Write paths and shared reads for users, companies and connections."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Company, Membership, User

ACTIVE_COMPANY_SESSION_KEY = "active_company_id"


def companies_for_user(user: User) -> list[Company]:
    """The companies a user belongs to, by name."""
    return list(Company.objects.filter(memberships__user=user).order_by("name", "id"))


def active_company(request: HttpRequest) -> Company | None:
    """The company the user works in now: the one chosen in this session if they still belong to
    it, else their first company, else None (they have none yet)."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related("company")
    chosen = request.session.get(ACTIVE_COMPANY_SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(company_id=chosen).first()
        if membership is not None:
            return membership.company
    membership = memberships.order_by("company__name", "company_id").first()
    if membership is None:
        return None
    request.session[ACTIVE_COMPANY_SESSION_KEY] = membership.company_id
    return membership.company


def active_company_set(request: HttpRequest, company: Company) -> None:
    """Make `company` the active one for this session (the caller checked membership)."""
    request.session[ACTIVE_COMPANY_SESSION_KEY] = company.pk
