"""Pages: sign a document (three levels), edit before/after signing (a new version), the pending list
with "sign all", signing blocks, the minimum level per kind (admin), and the public verification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.selectors import (
    document_get_by_code,
    document_user_can_read,
    document_versions,
    verification_code_normalize,
)
from tenant_apps.documents.services import document_version_add
from tenant_apps.documents.throttling import verification_lookup_allow
from tenant_apps.org.selectors import user_unit_ids

from .enums import SignatureLevel, SignerStatus
from .forms import BlockForm, EditForm, PolicyForm, RefuseForm, SignAllForm, SignForm
from .models import KindPolicy
from .selectors import (
    block_get_for_user,
    block_list_for_user,
    block_pending_for_user,
    signature_latest,
    signatures_of_document,
    signatures_verified,
    signed_pdf_read,
)
from .services import (
    kind_minimum_level,
    kind_policy_set,
    signature_sign,
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


def _document_signable(request: HttpRequest, document_id: int) -> Document:
    document = Document.objects.select_related("unit", "author").filter(pk=document_id).first()
    if document is None or not (
        document_user_can_read(request.user, document) or user_may_sign(user=request.user, document=document)
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
    minimum = kind_minimum_level(document.kind)
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
                signer=request.user,  # type: ignore[arg-type]
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
        "is_frozen": any(signature.version_id == latest.pk for signature in signatures),
        "minimum_level": SignatureLevel(minimum).label,
        "form": form,
        "edit_form": EditForm(initial={"body": latest.body, "expected_version": latest.number}),
        "can_sign": user_may_sign(user=request.user, document=document),
    }
    return _private(render(request, "signatures/document_sign.html", context, status=_status(request, form)))


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
        version = document_version_add(document=document, body=form.cleaned_data["body"], author=request.user)
        messages.success(request, _("Versão %(number)s salva.") % {"number": version.number})
    return redirect("signatures:document_sign", document_id=document.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def pending_list(request: HttpRequest) -> HttpResponse:
    blocks = block_pending_for_user(user=request.user)
    form = SignAllForm(_posted(request), request.FILES if request.method == "POST" else None, blocks=blocks)
    if request.method == "POST" and form.is_valid():
        chosen = [block for block in blocks if block.pk in set(form.cleaned_data["blocks"])]
        upload = form.cleaned_data.get("pkcs12")
        try:
            signed = signing_block_sign_all(
                signer=request.user,  # type: ignore[arg-type]
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
        "my_blocks": block_list_for_user(user=request.user)[:50],
    }
    return _private(render(request, "signatures/pending_list.html", context, status=_status(request, form)))


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
                author=request.user,  # type: ignore[arg-type]
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
    block = block_get_for_user(user=request.user, block_id=block_id)
    if block is None:
        raise Http404
    form = RefuseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            signing_block_refuse(block=block, signer=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
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
