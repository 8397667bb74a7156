"""Reads on document templates, and the merge context (only strings, only the listed fields)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format

from paco.schemas import current_tenant
from tenant_apps.accounts.types import Viewer
from tenant_apps.cases.models import Case
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import (
    membership_list_current,
    user_is_municipal_admin,
    user_managed_unit_ids,
    user_unit_ids,
)

from .models import CityProfile, DocumentTemplate, TemplateVersion


def cpf_masked(cpf: str | None) -> str:
    """The CPF as the law allows it printed (LGPD, art. 6º, III, minimisation): `***.456.789-**`."""
    digits = "".join(ch for ch in (cpf or "") if ch.isdigit())
    if len(digits) != 11:
        return ""
    return f"***.{digits[3:6]}.{digits[6:9]}-**"


def _date_pt(value: Any) -> str:
    with translation.override("pt-br"):
        return date_format(value, "d/m/Y")


def date_written_pt(value: Any) -> str:
    with translation.override("pt-br"):
        return date_format(value, r"j \d\e F \d\e Y").lower().replace(" De ", " de ")


def _position(user: Viewer) -> str:
    membership = membership_list_current(user_id=user.pk).select_related("unit").first() if user else None
    if membership is None:
        return ""
    with translation.override("pt-br"):
        role = str(Role(membership.role).label) if membership.role in Role.values else ""
    return f"{role} — {membership.unit.name}" if role else membership.unit.name


def merge_context(*, case: Case, user: Viewer) -> dict[str, dict[str, str]]:
    """The values of every merge field for `case` signed by `user`: plain strings, nothing else."""
    municipality = current_tenant()
    citizen = case.citizen
    answers = "; ".join(
        f"{key}: {value}"
        for key, value in (case.form_data or {}).items()
        if isinstance(value, str | int | float)
    )
    profile = CityProfile.objects.filter(pk=1).first()
    address = (case.form_data or {}).get("endereco", "")
    return {
        "caso": {
            "nup": case.nup,
            "servico": case.service.name,
            "assunto": case.subject,
            "respostas": answers,
            "aberto_em": _date_pt(timezone.localtime(case.opened_at).date()),
            "prazo": _date_pt(case.deadline),
        },
        "requerente": {
            "nome": citizen.full_name if citizen else "",
            "documento": cpf_masked(getattr(citizen, "cpf", "")) if citizen else "",
            "endereco": address if isinstance(address, str) else "",
        },
        "unidade": {"nome": case.current_unit.name, "sigla": case.current_unit.acronym},
        "municipio": {
            "nome": getattr(municipality, "display_name", ""),
            "uf": getattr(municipality, "state", ""),
            "prefeito": profile.mayor_name if profile else "",
            "brasao": "",
        },
        "signatario": {"nome": getattr(user, "full_name", ""), "cargo": _position(user)},
        "data": {"hoje_extenso": date_written_pt(timezone.localdate())},
    }


def template_user_can_manage(*, user: Viewer, template: DocumentTemplate) -> bool:
    """Municipal admins manage every template; unit managers those of the units they manage."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_servidor", False):
        return False
    if user_is_municipal_admin(user_id=user.pk):
        return True
    return template.unit_id is not None and template.unit_id in user_managed_unit_ids(user)


def template_user_can_use(*, user: Viewer, template: DocumentTemplate) -> bool:
    if not getattr(user, "is_servidor", False):
        return False
    return template.unit_id is None or template.unit_id in user_unit_ids(user)


def template_list_for_manager(*, user: Viewer) -> QuerySet[DocumentTemplate]:
    base = DocumentTemplate.objects.select_related("unit").order_by("name", "id")
    if user_is_municipal_admin(user_id=user.pk):
        return base
    return base.filter(unit_id__in=user_managed_unit_ids(user))


def template_list_usable(*, user: Viewer, kind: str = "") -> QuerySet[DocumentTemplate]:
    base = (
        DocumentTemplate.objects.select_related("unit")
        .filter(is_published=True)
        .filter(Q(unit__isnull=True) | Q(unit_id__in=user_unit_ids(user)))
        .order_by("name", "id")
    )
    return base.filter(kind=kind) if kind else base


def template_get_for_manager(*, user: Viewer, template_id: int) -> DocumentTemplate | None:
    return template_list_for_manager(user=user).filter(pk=template_id).first()


def template_get_usable(*, user: Viewer, template_id: int) -> DocumentTemplate | None:
    return template_list_usable(user=user).filter(pk=template_id).first()


def template_latest_version(*, template: DocumentTemplate) -> TemplateVersion | None:
    return template.versions.order_by("-number").first()


def user_can_manage_templates(*, user: Viewer) -> bool:
    return bool(
        getattr(user, "is_servidor", False)
        and (user_is_municipal_admin(user_id=user.pk) or user_managed_unit_ids(user))
    )


def city_profile() -> CityProfile:
    return CityProfile.objects.filter(pk=1).first() or CityProfile(pk=1)
