from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from accounts import views

app_name = "accounts"

auth_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("companies/new/", views.company_create_view, name="company-create"),
    path("companies/<int:company_id>/switch/", views.company_switch, name="company-switch"),
    path("company/", views.company_settings, name="company-settings"),
    path("company/members/<int:membership_id>/role/", views.member_role, name="member-role"),
    path(
        "company/members/<int:membership_id>/deactivate/",
        views.member_deactivate,
        name="member-deactivate",
    ),
    path(
        "company/members/<int:membership_id>/reactivate/",
        views.member_reactivate,
        name="member-reactivate",
    ),
    path("company/owner/", views.ownership_hand_over_view, name="ownership-hand-over"),
]

onboarding_patterns = [
    path("", views.onboarding_platform, name="onboarding-platform"),
    path("callback", views.onboarding_callback, name="onboarding-callback"),
    path(
        "connections/<int:connection_id>/unlink/",
        views.connection_unlink_view,
        name="connection-unlink",
    ),
    path(
        "connections/<int:connection_id>/reconnect/",
        views.connection_reconnect,
        name="connection-reconnect",
    ),
    path(
        "connections/<int:connection_id>/check/",
        views.connection_check,
        name="connection-check",
    ),
]

# Mounted at the site root: accounts under /accounts/, connecting under /onboarding/ (the
# callback path, /onboarding/callback, is what the ledger's redirect URL names).
urlpatterns = [
    path("accounts/", include(auth_patterns)),
    path("onboarding/", include(onboarding_patterns)),
]
