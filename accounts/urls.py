from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from accounts import invitation_views, views

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

# Invitations: the company's list (owners and admins), and the e-mailed link's landing page.
invitation_admin_patterns = [
    path("", invitation_views.invitation_list, name="invitation-list"),
    path(
        "<int:invitation_id>/resend/",
        invitation_views.invitation_resend_view,
        name="invitation-resend",
    ),
    path(
        "<int:invitation_id>/revoke/",
        invitation_views.invitation_revoke_view,
        name="invitation-revoke",
    ),
]
invitation_link_patterns = [
    path("<str:token>/", invitation_views.invitation_detail, name="invitation-detail"),
    path("<str:token>/accept/", invitation_views.invitation_accept_view, name="invitation-accept"),
    path("<str:token>/signup/", invitation_views.invitation_signup_view, name="invitation-signup"),
]
urlpatterns += [
    path("accounts/company/invitations/", include(invitation_admin_patterns)),
    path("invitations/", include(invitation_link_patterns)),
]
