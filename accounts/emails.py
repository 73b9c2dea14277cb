"""Sending e-mail: one message rendered from three templates, handed to a Celery task once the
transaction that asked for it commits (so a rolled-back change sends nothing)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from accounts import tasks


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject (one line), plain text and HTML of `template`: the files
    `<template>_subject.txt`, `<template>.txt` and `<template>.html`."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    return subject, text, html


def email_send(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render a message now and send it to `to` after the current transaction commits."""
    subject, text, html = email_render(template=template, context=context)
    tasks.email_deliver.delay_on_commit(to=[to], subject=subject, text=text, html=html)
