"""The endpoint Codat posts webhooks to: no login and no CSRF token, a Svix signature instead."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payables.errors import WebhookRefused
from payables.services.webhooks import webhook_receive, webhook_verify

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def codat_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body
    try:
        message_id = webhook_verify(
            secret=settings.CODAT_WEBHOOK_SECRET, headers=request.headers, body=body
        )
    except WebhookRefused as exc:
        logger.warning("Webhook refused: %s", exc)
        return JsonResponse({"error": str(exc)}, status=401)
    try:
        event = webhook_receive(message_id=message_id, body=body)
    except WebhookRefused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if event is None:
        return JsonResponse({"status": "duplicate"})
    return JsonResponse({"status": event.status, "note": event.note})
