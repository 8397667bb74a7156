"""Pages: sign a document (three levels), edit before/after signing (a new version), the pending list
with "sign all", signing blocks, the minimum level per kind (admin), and the public verification."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.client_ip import client_ip
from paco.decorators import municipal_admin_required, staff_required
from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import account
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.selectors import (
    document_get_by_code,
    document_user_can_read,
    document_verification_notes,
    document_versions,
    verification_code_normalize,
)
from tenant_apps.documents.services import document_version_add
from tenant_apps.documents.throttling import verification_lookup_allow
from tenant_apps.org.selectors import user_unit_ids

from .enums import SignatureLevel, SignerStatus
from .forms import (
    BlockForm,
    EditForm,
    GovBrStartForm,
    PolicyForm,
    RefuseForm,
    RetryForm,
    SignAllForm,
    SignForm,
)
from .govbr import RAISE_LEVEL_URL, SESSION_MAX_HASHES, GovBrLevelError, GovBrSignClient, govbr_enabled
from .models import KindPolicy
from .selectors import (
    block_get_for_user,
    block_list_for_user,
    block_pending_for_user,
    signature_latest,
    signature_request_failed,
    signature_requests_open,
    signatures_of_document,
    signatures_verified,
    signed_pdf_read,
)
from .services import (
    govbr_block_document_count,
    govbr_session_open,
    kind_minimum_level,
    kind_policy_set,
    signature_request_retry,
    signature_sign,
    signature_sign_govbr,
    signing_block_create,
    signing_block_refuse,
    signing_block_sign_all,
    user_may_sign,
)

MAX_CODE_INPUT = 40


def _posted(request: HttpRequest) -> Any:
    """The POST data on a POST (an empty POST is still a bound, checked form), None on a GET."""
    return request.POST if request.method == "POST" else None


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _govbr_csp(response: HttpResponse) -> HttpResponse:
    """The page's "assinar com gov.br" form answers with a redirect to gov.br's authorisation page:
    the Content-Security-Policy's form-action must allow that origin (only when it is configured)."""
    if govbr_enabled():
        parts = urlsplit(settings.GOVBR_SIGN_OAUTH_URL)
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


def _document_signable(request: HttpRequest, document_id: int) -> Document:
    document = Document.objects.select_related("unit", "author").filter(pk=document_id).first()
    if document is None or not (
        document_user_can_read(request.user, document)
        or user_may_sign(user=account(request.user), document=document)
    ):
        raise Http404
    return document


def _status(request: HttpRequest, form: Any = None) -> int:
    """A POST that saved nothing answers 400 (the page shows every error)."""
    return 400 if request.method == "POST" else 200


def _form_error(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
@staff_required
def document_sign(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_signable(request, document_id)
    versions = list(document_versions(document=document))
    if not versions:
        raise Http404
    latest = versions[0]
    minimum = kind_minimum_level(kind=document.kind)
    form = SignForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"expected_version": latest.number, "level": minimum},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("pkcs12")
        try:
            signature_sign(
                document=document,
                signer=account(request.user),
                level=form.cleaned_data["level"],
                otp_token=form.cleaned_data["otp_token"],
                pkcs12_data=upload.read() if upload else b"",
                pkcs12_password=form.cleaned_data["pkcs12_password"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Documento assinado."))
            return redirect("signatures:document_sign", document_id=document.pk)
    signatures = list(signatures_of_document(document=document))
    context = {
        "title": _("Assinar %(number)s") % {"number": document.number},
        "document": document,
        "latest": latest,
        "versions": versions,
        "signatures": signatures,
        "open_requests": signature_requests_open(document=document),
        "retry_form": RetryForm(auto_id=False, initial={"back": "documento"}),
        "is_frozen": any(signature.version_id == latest.pk for signature in signatures),
        "minimum_level": SignatureLevel(minimum).label,
        "form": form,
        "edit_form": EditForm(initial={"body": latest.body, "expected_version": latest.number}),
        "can_sign": user_may_sign(user=account(request.user), document=document),
        "has_signed_latest": any(
            signature.version_id == latest.pk and signature.signer_id == request.user.pk
            for signature in signatures
        ),
        "govbr_enabled": govbr_enabled(),
        "govbr_form": GovBrStartForm(initial={"expected_version": latest.number}),
        "govbr_allowed": minimum != SignatureLevel.QUALIFIED,
    }
    return _govbr_csp(
        _private(render(request, "signatures/document_sign.html", context, status=_status(request, form)))
    )


@require_POST
@staff_required
def request_retry(request: HttpRequest, document_id: int) -> HttpResponse:
    """ "Tentar de novo": the signer asks again for their signature whose job gave up ("falhou");
    only their own (nobody retries another person's signature), nothing changes otherwise."""
    document = _document_signable(request, document_id)
    actor = account(request.user)
    form = RetryForm(request.POST)
    back = reverse("signatures:document_sign", kwargs={"document_id": document.pk})
    memo = getattr(document, "memo", None)
    if form.is_valid() and form.cleaned_data["back"] == "memorando" and memo is not None:
        back = reverse("comms:memo_detail", kwargs={"memo_id": memo.pk})
    failed = signature_request_failed(document=document, signer=actor)
    if failed is None:
        messages.error(request, _("Não há assinatura sua que tenha falhado neste documento; nada foi feito."))
        return redirect(back)
    try:
        signature_request_retry(request=failed, actor=actor)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Assinatura pedida de novo; o PDF assinado fica pronto em instantes."))
    return redirect(back)


@require_POST
@staff_required
def document_edit(request: HttpRequest, document_id: int) -> HttpResponse:
    """A new version of the text: after a signature the signed version stays as it was (frozen)."""
    document = _document_signable(request, document_id)
    if document.unit_id not in user_unit_ids(request.user):
        raise Http404
    form = EditForm(request.POST)
    latest = document.versions.order_by("-number").first()
    if not form.is_valid() or latest is None:
        messages.error(request, _("Escreva o texto do documento."))
    elif form.cleaned_data["expected_version"] != latest.number:
        messages.error(
            request, _("O documento foi alterado por outra pessoa; nada foi salvo. Releia e edite de novo.")
        )
    elif form.cleaned_data["body"] != latest.body:
        version = document_version_add(
            document=document, body=form.cleaned_data["body"], author=account(request.user)
        )
        messages.success(request, _("Versão %(number)s salva.") % {"number": version.number})
    return redirect("signatures:document_sign", document_id=document.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def pending_list(request: HttpRequest) -> HttpResponse:
    blocks = block_pending_for_user(user=account(request.user))
    form = SignAllForm(_posted(request), request.FILES if request.method == "POST" else None, blocks=blocks)
    if request.method == "POST" and form.is_valid():
        chosen = [block for block in blocks if block.pk in set(form.cleaned_data["blocks"])]
        upload = form.cleaned_data.get("pkcs12")
        try:
            signed = signing_block_sign_all(
                signer=account(request.user),
                blocks=chosen,
                otp_token=form.cleaned_data["otp_token"],
                pkcs12_data=upload.read() if upload else b"",
                pkcs12_password=form.cleaned_data["pkcs12_password"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(count)s documento(s) assinado(s).") % {"count": len(signed)})
            return redirect("signatures:pending_list")
    context = {
        "title": _("Assinaturas pendentes"),
        "blocks": blocks,
        "form": form,
        "my_blocks": block_list_for_user(user=account(request.user))[:50],
        "govbr_enabled": govbr_enabled(),
        "govbr_max": SESSION_MAX_HASHES,
    }
    return _govbr_csp(
        _private(render(request, "signatures/pending_list.html", context, status=_status(request, form)))
    )


@require_http_methods(["GET", "POST"])
@staff_required
def block_create(request: HttpRequest) -> HttpResponse:
    units = user_unit_ids(request.user)
    documents = list(
        Document.objects.select_related("unit").filter(unit_id__in=units).order_by("-created_at")[:100]
    )
    signers = list(User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("full_name")[:500])
    form = BlockForm(_posted(request), documents=documents, signers=signers)
    if request.method == "POST" and form.is_valid():
        chosen_documents = [d for d in documents if d.pk in set(form.cleaned_data["documents"])]
        by_id = {u.pk: u for u in signers}
        chosen_signers = [by_id[pk] for pk in form.cleaned_data["signers"] if pk in by_id]
        try:
            block = signing_block_create(
                title=form.cleaned_data["title"],
                author=account(request.user),
                documents=chosen_documents,
                signers=chosen_signers,
                is_ordered=form.cleaned_data["is_ordered"],
                level=form.cleaned_data["level"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Bloco criado; os signatários foram avisados."))
            return redirect("signatures:block_detail", block_id=block.pk)
    context = {"title": _("Novo bloco de assinatura"), "form": form}
    return _private(render(request, "signatures/block_form.html", context, status=_status(request, form)))


@require_http_methods(["GET", "POST"])
@staff_required
def block_detail(request: HttpRequest, block_id: int) -> HttpResponse:
    block = block_get_for_user(user=account(request.user), block_id=block_id)
    if block is None:
        raise Http404
    form = RefuseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            signing_block_refuse(
                block=block, signer=account(request.user), reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Recusa registrada; o bloco voltou ao autor."))
            return redirect("signatures:block_detail", block_id=block.pk)
    rows = list(block.signers.select_related("user"))
    mine = next((row for row in rows if row.user_id == request.user.pk), None)
    context = {
        "title": block.title,
        "signing_block": block,  # not "block": inside {% block %} that name is Django's own
        "items": list(block.items.select_related("document__unit", "version")),
        "rows": rows,
        "can_refuse": mine is not None and mine.status == SignerStatus.PENDING and block.status == "aberto",
        "form": form,
    }
    return _private(render(request, "signatures/block_detail.html", context, status=_status(request, form)))


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    current = dict(KindPolicy.objects.values_list("kind", "minimum_level"))
    form = PolicyForm(_posted(request), current=current)
    if request.method == "POST" and form.is_valid():
        for value in DocumentKind.values:
            kind_policy_set(kind=value, minimum_level=form.cleaned_data[f"kind_{value}"])
        messages.success(request, _("Política de assinatura salva."))
        return redirect("signatures:policy_edit")
    return _private(
        render(
            request,
            "signatures/policy.html",
            {"title": _("Nível mínimo de assinatura por espécie"), "form": form},
            status=_status(request, form),
        )
    )


# --- gov.br assinatura ---------------------------------------------------------------------------------
# The person chooses "assinar com gov.br" on a document (scope `sign`: one hash) or on the blocks of
# the pending list (scope `signature_session`: up to 100 hashes), authorises at gov.br and comes back
# to the callback, which signs and returns them where they started. The pending request lives in the
# person's session (state compared in constant time, used once).

GOVBR_SESSION_KEY = "signatures_govbr"


def _govbr_on() -> None:
    if not govbr_enabled():
        raise Http404


def govbr_redirect(
    request: HttpRequest,
    pending: dict[str, Any],
    *,
    session: bool,
    callback_name: str = "signatures:govbr_callback",
    session_key: str = GOVBR_SESSION_KEY,
) -> HttpResponse:
    """To gov.br's authorisation page; what to sign waits in the person's session with the state."""
    state = secrets.token_urlsafe(24)
    request.session[session_key] = {**pending, "state": state}
    client = GovBrSignClient.from_settings()
    callback = request.build_absolute_uri(reverse(callback_name))
    return redirect(client.authorize_url(redirect_uri=callback, state=state, session=session))


def govbr_pending_pop(request: HttpRequest, session_key: str = GOVBR_SESSION_KEY) -> dict[str, Any] | None:
    """The pending request of this callback (used once), or None when the state is not the one sent."""
    pending = request.session.pop(session_key, None)
    state = request.GET.get("state", "")
    if not pending or not state or not secrets.compare_digest(str(pending.get("state", "")), state):
        return None
    return dict(pending)


def govbr_level_page(request: HttpRequest, error: ApplicationError, back: str) -> HttpResponse:
    """A bronze account: how to raise it to silver or gold; nothing was signed."""
    context = {
        "title": _("Eleve o nível da sua conta gov.br"),
        "message": error.message,
        "raise_url": RAISE_LEVEL_URL,
        "back": back,
    }
    return _private(render(request, "signatures/govbr_level.html", context, status=403))


def govbr_csp(response: HttpResponse) -> HttpResponse:
    return _govbr_csp(response)


_govbr_redirect = govbr_redirect


@require_POST
@staff_required
def govbr_document_start(request: HttpRequest, document_id: int) -> HttpResponse:
    _govbr_on()
    document = _document_signable(request, document_id)
    form = GovBrStartForm(request.POST)
    if not form.is_valid() or not user_may_sign(user=account(request.user), document=document):
        messages.error(request, _("Não foi possível iniciar a assinatura gov.br deste documento."))
        return redirect("signatures:document_sign", document_id=document.pk)
    if kind_minimum_level(kind=document.kind) == SignatureLevel.QUALIFIED:
        messages.error(
            request,
            _(
                "Esta espécie exige assinatura qualificada (ICP-Brasil, Lei 14.063/2020, art. 4º, III);"
                " a assinatura gov.br é avançada. Assine com seu certificado A1."
            ),
        )
        return redirect("signatures:document_sign", document_id=document.pk)
    pending = {
        "document_id": document.pk,
        "expected_version": form.cleaned_data["expected_version"],
        "back": reverse("signatures:document_sign", kwargs={"document_id": document.pk}),
    }
    return _govbr_redirect(request, pending, session=False)


@require_POST
@staff_required
def govbr_blocks_start(request: HttpRequest) -> HttpResponse:
    _govbr_on()
    blocks = block_pending_for_user(user=account(request.user))
    form = SignAllForm(request.POST, blocks=blocks)
    if not form.is_valid():
        messages.error(request, _("Marque os blocos que quer assinar com gov.br."))
        return redirect("signatures:pending_list")
    chosen = [block for block in blocks if block.pk in set(form.cleaned_data["blocks"])]
    count = govbr_block_document_count(blocks=chosen)
    if count > SESSION_MAX_HASHES:
        messages.error(
            request,
            _("Uma autorização gov.br assina até %(max)s documentos; marque menos blocos (são %(count)s).")
            % {"max": SESSION_MAX_HASHES, "count": count},
        )
        return redirect("signatures:pending_list")
    pending = {"block_ids": [block.pk for block in chosen], "back": reverse("signatures:pending_list")}
    return _govbr_redirect(request, pending, session=True)


@require_GET
@staff_required
def govbr_callback(request: HttpRequest) -> HttpResponse:
    """Back from gov.br: sign what the person chose, or say why nothing was signed."""
    _govbr_on()
    pending = govbr_pending_pop(request)
    if pending is None:
        messages.error(request, _("Esta autorização gov.br não é a que foi pedida aqui; nada foi assinado."))
        return redirect("signatures:pending_list")
    back = str(pending.get("back") or reverse("signatures:pending_list"))
    code = request.GET.get("code", "")
    if not code:
        messages.warning(request, _("A assinatura gov.br foi cancelada; nada foi assinado."))
        return redirect(back)
    callback = request.build_absolute_uri(reverse("signatures:govbr_callback"))
    signer = account(request.user)
    try:
        if "document_id" in pending:
            document = _document_signable(request, int(pending["document_id"]))
            govbr_session = govbr_session_open(signer=signer, code=code, redirect_uri=callback, session=False)
            signature_sign_govbr(
                document=document,
                signer=signer,
                govbr_session=govbr_session,
                expected_version=int(pending["expected_version"]),
            )
            signed_count = 1
        else:
            ids = {int(pk) for pk in pending.get("block_ids", [])}
            chosen = [block for block in block_pending_for_user(user=signer) if block.pk in ids]
            if not chosen:
                raise ApplicationError(_("Não há mais assinatura sua pendente nesses blocos."))
            govbr_session = govbr_session_open(signer=signer, code=code, redirect_uri=callback, session=True)
            signed_count = len(
                signing_block_sign_all(signer=signer, blocks=chosen, govbr_session=govbr_session)
            )
    except GovBrLevelError as error:
        return govbr_level_page(request, error, back)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("%(count)s documento(s) assinado(s) com gov.br (assinatura avançada).") % {"count": signed_count},
    )
    return redirect(back)


# --- public verification ----------------------------------------------------------------------------


def _document_by_code(request: HttpRequest, code: str) -> Document:
    if not verification_lookup_allow(client_ip=client_ip(request)):
        raise Http404
    document = document_get_by_code(code=verification_code_normalize(code[:MAX_CODE_INPUT]))
    if document is None:
        raise Http404
    return document


@require_GET
def verify_detail(request: HttpRequest, verification_code: str) -> HttpResponse:
    """Every signature (name, level, date and time, issuer, valid or not), the versions and the signed
    PDF; of a restricted or secret document only that it exists and whether it is intact."""
    document = _document_by_code(request, verification_code)
    is_public = document.access_level == AccessLevel.PUBLIC
    verified, intact = signatures_verified(document=document)
    context = {
        "title": _("Verificação do documento %(number)s") % {"number": document.number},
        "document": document,
        "is_public": is_public,
        "verified": verified if is_public else [],
        "signature_count": len(verified),
        "intact": intact,
        "versions": list(document_versions(document=document)) if is_public else [],
        "has_signed_pdf": is_public and any(row.signature.is_embedded for row in verified),
        "open_requests": signature_requests_open(document=document),
        # what other modules say of the document now (a permit's current status: valid, suspended...)
        "notes": document_verification_notes(document=document),
    }
    return render(request, "signatures/verify_detail.html", context)


@require_GET
def verify_signed_pdf(request: HttpRequest, verification_code: str) -> HttpResponse:
    document = _document_by_code(request, verification_code)
    if document.access_level != AccessLevel.PUBLIC:
        raise Http404
    last = signature_latest(document=document)
    data = signed_pdf_read(signature=last) if last else None
    if data is None or last is None:
        raise Http404
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"{slugify(document.number)}-v{last.version.number}-assinado.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename) or ""
    return response
