"""Responses that billpay's own pages show in an <iframe>: the preview of a dropped document and
of an attached PDF. The site-wide policy forbids all framing (CSP `frame-ancestors 'none'`,
`X-Frame-Options: DENY`); these views let billpay's own origin, and only it, frame them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.constants import SELF
from csp.decorators import csp_replace
from django.views.decorators.clickjacking import xframe_options_sameorigin

View = TypeVar("View", bound=Callable[..., Any])


def framed_by_self(view: View) -> View:
    """Let pages of this origin (and no other) show the view's response in a frame."""
    return cast(View, xframe_options_sameorigin(csp_replace({"frame-ancestors": [SELF]})(view)))
