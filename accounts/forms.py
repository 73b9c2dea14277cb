"""Forms of the accounts app: they validate and convert; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from accounts.models import Company, Membership, User
from accounts.services import offered_platforms, platform_name


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254)
    full_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("There is already an account with this email address.")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", "The two passwords do not match.")
            else:
                user = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
                try:
                    password_validation.validate_password(password1, user)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return cleaned


class CompanyForm(forms.Form):
    name = forms.CharField(label="Company name", max_length=255)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the company's name.")
        return name


class PlatformForm(forms.Form):
    """The platform to connect: one of those onboarding offers (settings.BILLPAY_PLATFORMS)."""

    CHOOSE_MESSAGE = "Choose an accounting platform."
    NOT_OFFERED_MESSAGE = "{name} is not available: choose another platform."

    platform = forms.CharField(error_messages={"required": CHOOSE_MESSAGE})

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.platforms = offered_platforms()

    def clean_platform(self) -> str:
        key: str = self.cleaned_data["platform"]
        if any(platform.key == key for platform in self.platforms):
            return key
        name = platform_name(key)
        if name != key:
            # A platform billpay knows, switched off in this deployment.
            raise forms.ValidationError(self.NOT_OFFERED_MESSAGE.format(name=name))
        raise forms.ValidationError(self.CHOOSE_MESSAGE)


class MemberRoleForm(forms.Form):
    """A member's new role: any but owner (only the hand-over makes an owner)."""

    role = forms.ChoiceField(
        label="Role",
        choices=[(v, label) for v, label in Membership.Role.choices if v != Membership.Role.OWNER],
        error_messages={
            "required": "Choose a role.",
            "invalid_choice": "Choose one of the roles listed (the owner hands over ownership).",
        },
    )


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Membership) -> str:  # type: ignore[override]
        return f"{obj.user.get_full_name()} ({obj.user.email})"


class HandOverForm(forms.Form):
    """Whom the owner hands the company over to: another active member."""

    member = MemberChoiceField(
        label="New owner",
        queryset=Membership.objects.none(),
        empty_label="Choose a member",
        error_messages={
            "required": "Choose the member who becomes the owner.",
            "invalid_choice": "Choose one of the active members listed.",
        },
    )

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Membership.objects.filter(company=company, deactivated_at__isnull=True)
            .exclude(role=Membership.Role.OWNER)
            .select_related("user")
        )
