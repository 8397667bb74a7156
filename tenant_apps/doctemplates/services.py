"""Writes on document templates: create, edit (a new version each time), publish, and generate a
document on a case from a template (the API the permits module uses: `document_from_template`)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer
from tenant_apps.cases.models import Case
from tenant_apps.cases.selectors import case_user_can_act
from tenant_apps.cases.services import case_document_link
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.services import document_create
from tenant_apps.org.models import OrgUnit

from .engine import html_to_text, render_html, template_body_check
from .models import CityProfile, DocumentTemplate, GeneratedDocument, TemplateVersion
from .selectors import merge_context, template_user_can_manage, template_user_can_use


class TemplatePermissionError(ApplicationError):
    """The person may not manage or use this template."""


def _check_header(*, name: str, kind: str, unit: OrgUnit | None, user: User) -> None:
    if not name.strip():
        raise ApplicationError(_("Dê um nome ao modelo."), extra={"field": "name"})
    if kind not in DocumentKind.values:
        raise ApplicationError(_("Espécie de documento inválida."), extra={"field": "kind"})
    probe = DocumentTemplate(unit=unit)
    if not template_user_can_manage(user=user, template=probe):
        raise TemplatePermissionError(
            _("Só a administração municipal cria modelos de toda a prefeitura; a chefia, os da sua unidade."),
            extra={"field": "unit"},
        )


@transaction.atomic
def template_create(
    *,
    name: str,
    kind: str,
    body: str,
    created_by: User,
    unit: OrgUnit | None = None,
    is_published: bool = False,
) -> DocumentTemplate:
    """A new template with its version 1; the body is checked (fields, markup) before anything is written."""
    _check_header(name=name, kind=kind, unit=unit, user=created_by)
    fields = template_body_check(body)
    template = DocumentTemplate.objects.create(
        name=name.strip()[:160], kind=kind, unit=unit, is_published=is_published, created_by=created_by
    )
    TemplateVersion.objects.create(
        template=template, number=1, body=body, fields_used=fields, created_by=created_by
    )
    return template


@transaction.atomic
def template_update(
    *,
    template: DocumentTemplate,
    name: str,
    kind: str,
    body: str,
    updated_by: User,
    unit: OrgUnit | None = None,
    is_published: bool | None = None,
) -> DocumentTemplate:
    """Edit a template: a changed body becomes a new version (documents already generated keep theirs)."""
    if not template_user_can_manage(user=updated_by, template=template):
        raise TemplatePermissionError(_("Você não pode alterar este modelo."))
    _check_header(name=name, kind=kind, unit=unit, user=updated_by)
    fields = template_body_check(body)
    template = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    template.name, template.kind, template.unit = name.strip()[:160], kind, unit
    if is_published is not None:
        template.is_published = is_published
    template.save(update_fields=["name", "kind", "unit", "is_published", "updated_at"])
    latest = template.versions.order_by("-number").first()
    if latest is None or latest.body != body:
        TemplateVersion.objects.create(
            template=template,
            number=(latest.number + 1) if latest else 1,
            body=body,
            fields_used=fields,
            created_by=updated_by,
        )
    return template


@transaction.atomic
def city_profile_update(*, mayor_name: str) -> CityProfile:
    profile, _created = CityProfile.objects.get_or_create(pk=1)
    profile.mayor_name = mayor_name.strip()[:200]
    profile.save(update_fields=["mayor_name"])
    return profile


def template_preview(*, template: DocumentTemplate, case: Case, user: Viewer) -> str:
    """The latest version rendered on a real case, as sanitised HTML (nothing is written)."""
    if not template_user_can_manage(user=user, template=template) and not template_user_can_use(
        user=user, template=template
    ):
        raise TemplatePermissionError(_("Você não pode usar este modelo."))
    version = template.versions.order_by("-number").first()
    if version is None:
        raise ApplicationError(_("O modelo ainda não tem texto."))
    return render_html(version.body, merge_context(case=case, user=user))


@transaction.atomic
def document_from_template(
    *, template: DocumentTemplate, case: Case, author: User, title: str = "", unit: OrgUnit | None = None
) -> Document:
    """Generate a document on a case from the template's latest version, numbered in the author's unit
    (the case's current unit unless given), joined to the case file, recording the template version.

    The author must be able to act on the case (it is in one of their units) and the template must be
    published and city-wide or of one of their units.
    """
    if not case_user_can_act(user=author, case=case):
        raise TemplatePermissionError(_("O processo não está na sua unidade."))
    if not template.is_published or not template_user_can_use(user=author, template=template):
        raise TemplatePermissionError(_("Este modelo não está publicado para a sua unidade."))
    version = template.versions.order_by("-number").first()
    if version is None:
        raise ApplicationError(_("O modelo ainda não tem texto."))
    body = html_to_text(render_html(version.body, merge_context(case=case, user=author)))
    document = document_create(
        kind=template.kind,
        unit=unit or case.current_unit,
        title=(title.strip() or f"{template.name} — {case.nup}")[:300],
        body=body,
        author=author,
    )
    GeneratedDocument.objects.create(document=document, template_version=version, case=case)
    case_document_link(
        case=case,
        document=document,
        actor=author,
        summary=_("Documento %(number)s gerado do modelo “%(name)s” (versão %(version)s)")
        % {"number": document.number, "name": template.name, "version": version.number},
        payload={"document_id": document.pk, "template_version_id": version.pk},
    )
    return document
