"""Forms of invitations: inviting someone, and signing up through an invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from accounts.invitations import INVITABLE_ROLES
from accounts.models import Membership, User


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={"invalid": "Enter a valid e-mail address, like name@example.com."},
    )
    role = forms.ChoiceField(
        choices=INVITABLE_ROLES,
        initial=Membership.Role.VIEWER,
        error_messages={
            "invalid_choice": "Choose a role other than owner: the owner hands over to a member."
        },
    )

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class InvitationSignupForm(forms.Form):
    """Sign-up for the invited address: the e-mail is shown, fixed, and never read from the post."""

    email = forms.EmailField(label="E-mail address", disabled=True, required=False)
    full_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        kwargs["initial"] = {"email": email}
        super().__init__(*args, **kwargs)
        self.invited_email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if User.objects.filter(email__iexact=self.invited_email).exists():
            raise forms.ValidationError(
                f"There is already an account with {self.invited_email}: log in to accept."
            )
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", "The two passwords do not match.")
            else:
                user = User(email=self.invited_email, full_name=cleaned.get("full_name", ""))
                try:
                    password_validation.validate_password(password1, user)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return cleaned
