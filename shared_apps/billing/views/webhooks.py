"""Stripe's webhook endpoint on the control plane: verified, idempotent, answered quickly."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..services import webhook_event_process
from ..stripe_adapter import WebhookSignatureInvalid, event_construct

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = event_construct(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except WebhookSignatureInvalid as error:
        logger.warning("refused a Stripe webhook: %s", error)
        return JsonResponse({"message": "Assinatura do webhook inválida."}, status=400)
    outcome = webhook_event_process(event=event)
    return JsonResponse({"received": True, "outcome": outcome or "duplicate"})
