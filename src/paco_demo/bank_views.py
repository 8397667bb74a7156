"""DEMONSTRATION ONLY: a stand-in bank app that pays a Pix guide by sending the city's webhook the
notice a PSP would send (Pix API shape, signed with the city's secret), over HTTP to the city's own
host. Served under /demo-banco/ on each city's host only when settings.PAYMENTS_DEMO_BANK is on
(`make demo`); otherwise every route is a 404. No money moves anywhere.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal

import httpx
from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tenant_apps.payments.brcode import BrCodeError, PixPayload, brcode_read
from tenant_apps.payments.models import PaymentGuide
from tenant_apps.payments.selectors import pix_webhook_secret
from tenant_apps.payments.services import SIGNATURE_HEADER, webhook_signature

DEMO_BANK_ISPB = "99999999"  # not a real institution's ISPB


class BankPayForm(forms.Form):
    codigo = forms.CharField(
        label=gettext_lazy("Pix copia e cola"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=512,
        help_text=gettext_lazy("Cole o código da guia."),
    )


def bank_notice(*, payload: PixPayload, txid: str, amount: Decimal) -> tuple[bytes, dict[str, str]]:
    """The notice the PSP sends the city once a Pix is settled, signed with the city's secret."""
    now = timezone.now()
    end_to_end = f"E{DEMO_BANK_ISPB}{now:%Y%m%d%H%M}{secrets.token_hex(6)[:11]}"
    body = json.dumps(
        {
            "pix": [
                {
                    "endToEndId": end_to_end,
                    "txid": txid,
                    "valor": f"{amount:.2f}",
                    "chave": payload.key,
                    "horario": now.isoformat(),
                    "infoPagador": "Pagamento pelo banco de demonstração",
                }
            ]
        }
    ).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: webhook_signature(secret=pix_webhook_secret(), body=body),
    }
    return body, headers


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    if not settings.PAYMENTS_DEMO_BANK:
        raise Http404
    form = BankPayForm(request.POST or request.GET or None)
    context: dict[str, object] = {"title": _("Banco de demonstração"), "form": form}
    if form.is_bound and form.is_valid():
        try:
            payload = brcode_read(form.cleaned_data["codigo"])
        except BrCodeError as error:
            form.add_error("codigo", str(error))
            return render(request, "paco_demo/bank.html", context, status=400)
        # a code made here carries the guide's txid; a PSP's dynamic one is looked up by its location
        guide = PaymentGuide.objects.filter(br_code=form.cleaned_data["codigo"].strip()).first()
        txid = guide.txid if guide else payload.txid
        amount = payload.amount or (guide.amount if guide else None)
        context.update({"payload": payload, "amount": amount, "txid": txid})
        if request.method == "POST" and request.POST.get("confirmar") == "1" and amount:
            body, headers = bank_notice(payload=payload, txid=txid, amount=amount)
            url = request.build_absolute_uri("/api/v1/payments/webhook/")
            try:
                answer = httpx.post(url, content=body, headers=headers, timeout=10)
                context["result"] = (answer.status_code, answer.json())
            except (httpx.HTTPError, ValueError) as error:
                context["result"] = (0, {"detail": str(error)})
    return render(request, "paco_demo/bank.html", context)
