"""Staff pages of memos and circulars."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import staff_required
from paco.errors import PASS_THROUGH, AccessDenied, ApplicationError, NotFound
from tenant_apps.accounts.types import account
from tenant_apps.documents.uploads import Upload, uploads_from_files
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_managed_unit_ids, user_unit_ids
from tenant_apps.signatures.forms import RetryForm

from . import services
from .enums import ReceiptState
from .exports import circular_receipts_csv, circular_receipts_pdf
from .forms import CircularForm, MemoCaseForm, MemoForm, MemoForwardForm, MemoReplyForm
from .selectors import (
    RECEIPT_PAGE_SIZE,
    circular_get_visible,
    circular_list_received,
    circular_list_sent,
    circular_receipt_counts,
    circular_receipt_for,
    circular_receipt_list,
    circular_user_can_remind,
    circular_user_is_sender,
    memo_get_visible,
    memo_list_received,
    memo_list_sent,
    memo_template_list,
    memo_thread,
    memo_user_is_recipient,
)
from .selectors import (
    unit_activity as unit_activity_list,
)

MAX_QUERY_INPUT = 100


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _my_units(request: HttpRequest) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(pk__in=user_unit_ids(request.user)).order_by("acronym"))


def _uploads(request: HttpRequest) -> list[Upload]:
    return uploads_from_files(request.FILES, {"arquivos": _("Anexo")})


# --- memos -----------------------------------------------------------------------------------


@require_GET
@staff_required
def memo_list(request: HttpRequest) -> HttpResponse:
    units = _my_units(request)
    box = request.GET.get("caixa", "recebidos")
    if box not in ("recebidos", "enviados", "pessoais"):
        box = "recebidos"
    selected = next(
        (unit for unit in units if unit.acronym == request.GET.get("unidade")), units[0] if units else None
    )
    if box == "pessoais" or selected is None:
        memos = list(memo_list_received(user=request.user, unit_id=None))
    elif box == "enviados":
        memos = list(memo_list_sent(user=request.user, unit_id=selected.pk))
    else:
        memos = list(memo_list_received(user=request.user, unit_id=selected.pk))
    return _private(
        render(
            request,
            "comms/memo_list.html",
            {"title": _("Memorandos"), "units": units, "unit": selected, "box": box, "memos": memos},
        )
    )


@require_http_methods(["GET", "POST"])
@staff_required
def memo_create(request: HttpRequest) -> HttpResponse:
    sender_units = OrgUnit.objects.filter(pk__in=user_unit_ids(request.user)).order_by("acronym")
    if not sender_units.exists():
        raise Http404
    templates = list(memo_template_list())
    if request.method == "POST":
        form = MemoForm(request.POST, sender_units=sender_units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                memo = services.memo_send(
                    author=account(request.user),
                    sender_unit=data["sender_unit"],
                    subject=data["subject"],
                    body=data["body"],
                    to_units=data["to_units"],
                    to_users=data["to_users"],
                    uploads=_uploads(request),
                    is_restricted=data["is_restricted"],
                    otp_token=data.get("otp_token", ""),
                )
            except NotFound:
                raise
            except ApplicationError as error:  # AccessDenied too: the form says why
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Memorando %(number)s enviado.") % {"number": memo.document.number}
                )
                return redirect("comms:memo_detail", memo_id=memo.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"sender_unit": sender_units.first()}
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("modelo")), None)
        if chosen is not None:
            initial["subject"], initial["body"] = services.memo_template_render(
                template=chosen,
                unit=sender_units[0],
                author=account(request.user),
            )
        form = MemoForm(initial=initial, sender_units=sender_units)
        status = 200
    return _private(
        render(
            request,
            "comms/memo_form.html",
            {"title": _("Novo memorando"), "form": form, "templates": templates},
            status=status,
        )
    )


def _memo_context(request: HttpRequest, memo: Any, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    forms = forms or {}
    return {
        "title": memo.document.number,
        "memo": memo,
        "thread": memo_thread(user=request.user, memo=memo),
        "is_recipient": memo_user_is_recipient(user=request.user, memo=memo),
        "reply_form": forms.get("responder") or MemoReplyForm(),
        "forward_form": forms.get("encaminhar") or MemoForwardForm(),
        "case_form": forms.get("protocolo") or MemoCaseForm(),
        "retry_form": RetryForm(auto_id=False, initial={"back": "memorando"}),
    }


@require_GET
@staff_required
def memo_detail(request: HttpRequest, memo_id: int) -> HttpResponse:
    memo = memo_get_visible(user=request.user, memo_id=memo_id)
    return _private(render(request, "comms/memo_detail.html", _memo_context(request, memo)))


MEMO_ACTIONS = {"responder": MemoReplyForm, "encaminhar": MemoForwardForm, "protocolo": MemoCaseForm}


@require_POST
@staff_required
def memo_action(request: HttpRequest, memo_id: int, memo_action: str) -> HttpResponse:
    memo = memo_get_visible(user=request.user, memo_id=memo_id)
    form_class = MEMO_ACTIONS.get(memo_action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if memo_action == "responder":
                created = services.memo_reply(
                    memo=memo,
                    author=account(request.user),
                    body=data["body"],
                    uploads=_uploads(request),
                    otp_token=data["otp_token"],
                )
                messages.success(
                    request, _("Resposta %(number)s enviada.") % {"number": created.document.number}
                )
                return redirect("comms:memo_detail", memo_id=created.pk)
            if memo_action == "encaminhar":
                created = services.memo_forward(
                    memo=memo,
                    author=account(request.user),
                    note=data["note"],
                    to_units=data["to_units"],
                    to_users=data["to_users"],
                    otp_token=data["otp_token"],
                )
                messages.success(
                    request, _("Memorando encaminhado (%(number)s).") % {"number": created.document.number}
                )
                return redirect("comms:memo_detail", memo_id=created.pk)
            case = services.memo_case_open(memo=memo, actor=account(request.user), service=data["service"])
            messages.success(
                request, _("Protocolo %(nup)s aberto a partir do memorando.") % {"nup": case.nup}
            )
            return redirect("cases:staff_case", nup="".join(ch for ch in case.nup if ch.isdigit()))
        except AccessDenied as error:
            raise Http404 from error
        except NotFound:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
    return _private(
        render(
            request, "comms/memo_detail.html", _memo_context(request, memo, {memo_action: form}), status=400
        )
    )


# --- circulars -------------------------------------------------------------------------------


@require_GET
@staff_required
def circular_list(request: HttpRequest) -> HttpResponse:
    return _private(
        render(
            request,
            "comms/circular_list.html",
            {
                "title": _("Circulares"),
                "received": list(circular_list_received(user=request.user)),
                "sent": list(circular_list_sent(user=request.user)),
                "can_send": bool(user_managed_unit_ids(request.user)),
            },
        )
    )


@require_http_methods(["GET", "POST"])
@staff_required
def circular_create(request: HttpRequest) -> HttpResponse:
    managed = OrgUnit.objects.filter(pk__in=user_managed_unit_ids(request.user)).order_by("acronym")
    if not managed.exists():
        # the product's own Portuguese answer, whatever DEBUG says (a clerk follows a link here)
        return render(request, "comms/circular_not_allowed.html", {"title": _("Nova circular")}, status=403)
    if request.method == "POST":
        form = CircularForm(request.POST, sender_units=managed)
        if form.is_valid():
            data = form.cleaned_data
            try:
                circular = services.circular_send(
                    author=account(request.user),
                    sender_unit=data["sender_unit"],
                    subject=data["subject"],
                    body=data["body"],
                    unit_ids=[unit.pk for unit in data["units"]],
                    include_subunits=data["include_subunits"],
                    roles=data["roles"],
                    everyone=data["everyone"],
                    user_ids=[user.pk for user in data["users"]],
                    acknowledge_by=data["acknowledge_by"],
                )
            except NotFound:
                raise
            except ApplicationError as error:  # AccessDenied too: the form says why
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Circular %(number)s enviada; os destinatários estão sendo notificados.")
                    % {"number": circular.document.number},
                )
                return redirect("comms:circular_detail", circular_id=circular.pk)
        status = 400
    else:
        form = CircularForm(initial={"sender_unit": managed.first()}, sender_units=managed)
        status = 200
    return _private(
        render(
            request, "comms/circular_form.html", {"title": _("Nova circular"), "form": form}, status=status
        )
    )


def _receipts_context(request: HttpRequest, circular: Any) -> dict[str, Any]:
    state = request.GET.get("situacao", "")
    if state not in ReceiptState.values:
        state = ""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_INPUT]
    receipts = list(circular_receipt_list(circular=circular, state=state, query=query)[:RECEIPT_PAGE_SIZE])
    return {
        "circular": circular,
        "counts": circular_receipt_counts(circular=circular),
        "receipts": receipts,
        "state": state,
        "states": ReceiptState.choices,
        "query": query,
        "page_size": RECEIPT_PAGE_SIZE,
    }


@require_GET
@staff_required
def circular_detail(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = circular_get_visible(user=request.user, circular_id=circular_id)
    receipt = services.circular_open(circular=circular, user=account(request.user))
    is_sender = circular_user_is_sender(user=request.user, circular=circular)
    context: dict[str, Any] = {
        "title": circular.document.number,
        "circular": circular,
        "receipt": receipt,
        "is_sender": is_sender,
        "can_remind": circular_user_can_remind(user=request.user, circular=circular),
        "reminder_token": secrets.token_urlsafe(16),
    }
    if is_sender:
        context.update(_receipts_context(request, circular))
    return _private(render(request, "comms/circular_detail.html", context))


@require_POST
@staff_required
def circular_acknowledge(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = circular_get_visible(user=request.user, circular_id=circular_id)
    if circular_receipt_for(user=request.user, circular=circular) is None:
        raise Http404
    receipt = services.circular_acknowledge(circular=circular, user=account(request.user))
    messages.success(
        request,
        _("Ciência registrada em %(moment)s.")
        % {"moment": receipt.acknowledged_at.astimezone().strftime("%d/%m/%Y %H:%M")},  # type: ignore[union-attr]
    )
    return redirect("comms:circular_detail", circular_id=circular.pk)


def _sender_circular(request: HttpRequest, circular_id: int) -> Any:
    circular = circular_get_visible(user=request.user, circular_id=circular_id)
    if not circular_user_is_sender(user=request.user, circular=circular):
        raise Http404
    return circular


@require_GET
@staff_required
def circular_receipts(request: HttpRequest, circular_id: int) -> HttpResponse:
    """The counts and list partial, polled by htmx on the sender's page."""
    circular = _sender_circular(request, circular_id)
    return _private(render(request, "comms/_receipts.html", _receipts_context(request, circular)))


@require_POST
@staff_required
def circular_remind(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = _sender_circular(request, circular_id)
    if not circular_user_can_remind(user=request.user, circular=circular):
        raise Http404
    try:
        reminder = services.circular_remind(
            circular=circular, actor=account(request.user), token=request.POST.get("token", "")
        )
    except PASS_THROUGH:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return _private(
            render(
                request,
                "comms/circular_detail.html",
                {
                    "title": circular.document.number,
                    "circular": circular,
                    "receipt": circular_receipt_for(user=request.user, circular=circular),
                    "is_sender": True,
                    "can_remind": True,
                    "reminder_token": secrets.token_urlsafe(16),
                    **_receipts_context(request, circular),
                },
                status=400,
            )
        )
    messages.success(
        request, _("Lembrete enviado a %(count)s pessoa(s).") % {"count": reminder.recipient_count}
    )
    return redirect("comms:circular_detail", circular_id=circular.pk)


@require_GET
@staff_required
def circular_export_csv(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = _sender_circular(request, circular_id)
    state = request.GET.get("situacao", "")
    data = circular_receipts_csv(circular=circular, state=state if state in ReceiptState.values else "")
    response = HttpResponse("\ufeff" + data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="circular-{circular.pk}-ciencias.csv"'
    return _private(response)


@require_GET
@staff_required
def circular_export_pdf(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = _sender_circular(request, circular_id)
    response = HttpResponse(circular_receipts_pdf(circular=circular), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="circular-{circular.pk}-ciencias.pdf"'
    return _private(response)


# --- unit history ----------------------------------------------------------------------------


@require_GET
@staff_required
def unit_activity(request: HttpRequest) -> HttpResponse:
    units = _my_units(request)
    if not units:
        raise Http404
    selected = next((unit for unit in units if unit.acronym == request.GET.get("unidade")), units[0])
    return _private(
        render(
            request,
            "comms/unit_activity.html",
            {
                "title": _("Comunicações da unidade"),
                "units": units,
                "unit": selected,
                "items": unit_activity_list(user=request.user, unit_id=selected.pk),
            },
        )
    )
