"""Celery tasks of the accounts app: delivering e-mail."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

# What a later try may get through: the server was away or hung up, or said "try later" (4xx,
# which smtplib raises as SMTPResponseException subclasses and retries cannot tell apart from 5xx
# without looking at the code, so those are left to fail).
TRANSIENT = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=300, max_retries=6)
def email_deliver(*, to: list[str], subject: str, text: str, html: str) -> None:
    """Send one rendered message through Django's configured e-mail backend."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    message.send()
