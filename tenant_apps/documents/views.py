"""Public verification of documents, and the staff pages to search, read and audit them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from paco.client_ip import client_ip
from paco.decorators import staff_required

from .enums import AccessAction, AccessLevel
from .models import Document
from .previews import PDF_TYPE, PreviewUnavailable, attachment_has_preview, pdf_first_page_png
from .search import SEARCH_PAGE_SIZE, document_search
from .selectors import (
    document_access_log_list,
    document_attachment_get,
    document_attachments,
    document_get,
    document_get_by_code,
    document_user_can_read,
    document_verification_notes,
    document_version_get,
    document_version_integrity,
    document_version_latest,
    document_versions,
    user_is_author_unit_manager,
    verification_code_normalize,
)
from .services import (
    AttachmentIntegrityError,
    attachment_read,
    document_access_log_record,
    document_pdf_read,
)
from .throttling import VERIFY_WINDOW_SECONDS, verification_lookup_allow

MAX_CODE_INPUT = 40
MAX_QUERY_INPUT = 200


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _pdf_response(data: bytes, document: Document, *, version_number: int) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"{slugify(document.number)}-v{version_number}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename) or ""
    return response


def _integrity_error(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "documents/error.html",
        {"title": _("Arquivo com integridade comprometida"), "message": message},
        status=409,
    )


def _too_many_lookups(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        "documents/verify.html",
        {
            "title": _("Verificar autenticidade de documento"),
            "code": code,
            "throttled": True,
            "wait_minutes": VERIFY_WINDOW_SECONDS // 60,
        },
        status=429,
    )


# --- public verification ------------------------------------------------------------------------


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone types (or scans) a code and learns whether the document exists and is intact."""
    raw = request.GET.get("codigo", "").strip()[:MAX_CODE_INPUT]
    context: dict[str, Any] = {"title": _("Verificar autenticidade de documento"), "code": raw}
    if not raw:
        return render(request, "documents/verify.html", context)
    if not verification_lookup_allow(client_ip=client_ip(request)):
        return _too_many_lookups(request, raw)
    document = document_get_by_code(code=verification_code_normalize(raw))
    if document is None:
        return render(request, "documents/verify.html", {**context, "not_found": True}, status=404)
    version = document_version_latest(document=document)
    is_public = document.access_level == AccessLevel.PUBLIC
    context.update(
        document=document,
        version=version,
        is_public=is_public,
        integrity=document_version_integrity(version=version),
        attachments=document_attachments(document=document) if is_public else [],
        notes=document_verification_notes(document=document),
    )
    return render(request, "documents/verify.html", context)


@require_GET
def verify_pdf(request: HttpRequest, verification_code: str) -> HttpResponse:
    """The PDF of a público document, by its verification code (linked from the verification page)."""
    code = verification_code[:MAX_CODE_INPUT]
    if not verification_lookup_allow(client_ip=client_ip(request)):
        return _too_many_lookups(request, code)
    document = document_get_by_code(code=verification_code_normalize(code))
    if document is None or document.access_level != AccessLevel.PUBLIC:
        raise Http404
    version = document_version_latest(document=document)
    try:
        data = document_pdf_read(version=version)
    except AttachmentIntegrityError as error:
        return _integrity_error(request, error.message)
    return _pdf_response(data, document, version_number=version.number)


# --- staff ------------------------------------------------------------------------------------


def _document_readable(request: HttpRequest, document_id: int) -> Document:
    """The document if the person may read it; otherwise the refusal is logged and it is a 404."""
    document = document_get(document_id=document_id)
    if not document_user_can_read(request.user, document):
        document_access_log_record(
            document=document, user=request.user, action=AccessAction.DENIED, ip_address=client_ip(request)
        )
        raise Http404
    return document


def _record(request: HttpRequest, document: Document, action: str) -> None:
    document_access_log_record(
        document=document, user=request.user, action=action, ip_address=client_ip(request)
    )


@require_GET
@staff_required
def staff_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_INPUT]
    page = (
        document_search(
            user=request.user, query=query, limit=SEARCH_PAGE_SIZE, cursor=request.GET.get("depois", "")
        )
        if query
        else None
    )
    return _private(
        render(
            request,
            "documents/staff_search.html",
            {"title": _("Pesquisar documentos"), "query": query, "page": page},
        )
    )


@require_GET
@staff_required
def staff_document(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_readable(request, document_id)
    versions = list(document_versions(document=document))
    if not versions:
        raise Http404
    _record(request, document, AccessAction.VIEW)
    context = {
        "title": document.number,
        "document": document,
        "versions": versions,
        "latest": versions[0],
        "integrity": document_version_integrity(version=versions[0]),
        "attachments": document_attachments(document=document),
        "can_see_access_log": document.access_level != AccessLevel.PUBLIC
        and user_is_author_unit_manager(request.user, document),
    }
    return _private(render(request, "documents/staff_document.html", context))


@require_GET
@staff_required
def staff_document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_readable(request, document_id)
    number = request.GET.get("versao", "")
    if number.isdigit():
        version = document_version_get(document=document, number=int(number))
    else:
        version = document_version_latest(document=document)
    try:
        data = document_pdf_read(version=version)
    except AttachmentIntegrityError as error:
        return _integrity_error(request, error.message)
    _record(request, document, AccessAction.DOWNLOAD)
    return _private(_pdf_response(data, document, version_number=version.number))


@require_GET
@staff_required
def staff_attachment(request: HttpRequest, document_id: int, attachment_id: int) -> HttpResponse:
    document = _document_readable(request, document_id)
    attachment = document_attachment_get(document=document, attachment_id=attachment_id)
    try:
        data = attachment_read(attachment=attachment)
    except (AttachmentIntegrityError, FileNotFoundError) as error:
        message = getattr(error, "message", "") or _(
            "O arquivo “%(name)s” não foi encontrado no armazenamento."
        ) % {"name": attachment.original_name}
        return _integrity_error(request, message)
    _record(request, document, AccessAction.DOWNLOAD)
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name) or ""
    # an uploaded file is never run as a page of this site, even if a browser tried
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return _private(response)


def attachment_preview_response(
    request: HttpRequest, attachment: Any, *, record: Callable[[], None]
) -> HttpResponse:
    """An attachment's preview: an image itself, a PDF's first page drawn as a PNG on the server.

    For a caller that has already applied the download's read rule: `record` logs the view once
    the preview is drawn; a file no longer matching its SHA-256 is a 409, a type without preview or
    a PDF that cannot be drawn a 404. Never cached by a browser or a proxy."""
    if not attachment_has_preview(attachment.content_type):
        raise Http404
    try:
        data = attachment_read(attachment=attachment)
    except (AttachmentIntegrityError, FileNotFoundError) as error:
        message = getattr(error, "message", "") or _(
            "O arquivo “%(name)s” não foi encontrado no armazenamento."
        ) % {"name": attachment.original_name}
        return _integrity_error(request, message)
    content_type = attachment.content_type
    if content_type == PDF_TYPE:
        try:
            data, content_type = pdf_first_page_png(data), "image/png"
        except PreviewUnavailable:
            raise Http404 from None
    record()
    response = HttpResponse(data, content_type=content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return _private(response)


@require_GET
@staff_required
def staff_attachment_preview(request: HttpRequest, document_id: int, attachment_id: int) -> HttpResponse:
    """What the staff case and document pages show of an attachment (same rule as the download,
    logged as a view, not a download)."""
    document = _document_readable(request, document_id)
    attachment = document_attachment_get(document=document, attachment_id=attachment_id)
    return attachment_preview_response(
        request, attachment, record=lambda: _record(request, document, AccessAction.VIEW)
    )


@require_GET
@staff_required
def staff_access_log(request: HttpRequest, document_id: int) -> HttpResponse:
    """Who read this document: for the managers of its author unit only."""
    document = document_get(document_id=document_id)
    if not user_is_author_unit_manager(request.user, document):
        raise Http404
    context = {
        "title": _("Acessos ao documento %(number)s") % {"number": document.number},
        "document": document,
        "entries": document_access_log_list(document=document),
    }
    return _private(render(request, "documents/staff_access_log.html", context))
