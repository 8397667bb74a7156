"""Forms of the permits pages (rendered by the one form layer, paco.forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from paco.forms import MultipleFileField
from tenant_apps.catalog.request_form import service_request_form_class

from .enums import RiskLevel
from .models import PermitKind

CHECKLIST_PREFIX = "checklist_"
BULK_FIELD = "documentos"


def checklist_field_name(item_id: int) -> str:
    return f"{CHECKLIST_PREFIX}{item_id}"


def permit_request_form_class(kind: PermitKind) -> type[forms.Form]:
    """The kind's catalogue form (catalog.request_form) plus its checklist, a box for several files at
    once (classified by the admin's rules) and the termo de ciência for level II."""
    base = service_request_form_class(kind.service)
    extra: dict[str, forms.Field] = {}
    for item in kind.checklist.all():
        details: list[str] = []
        if item.accepted_types:
            details.append(", ".join(value.split("/")[-1].upper() for value in item.accepted_types))
        details.append(_("até %(size)s MB") % {"size": item.max_size_mb})
        if item.validity_days:
            details.append(_("emitido há no máximo %(days)s dias") % {"days": item.validity_days})
        if item.must_be_signed:
            details.append(str(_("assinado digitalmente")))
        extra[checklist_field_name(item.pk)] = forms.FileField(
            label=item.name, required=False, help_text="; ".join(str(detail) for detail in details)
        )
    extra[BULK_FIELD] = MultipleFileField(
        label=_("Ou envie vários documentos de uma vez"),
        required=False,
        help_text=_("Identificamos cada arquivo pelo nome e pelo conteúdo; você confere o resultado."),
    )
    if kind.uses_activity_risk or kind.fixed_level == RiskLevel.MEDIUM:
        extra["termo"] = forms.BooleanField(
            label=_("Li e aceito o termo de ciência e responsabilidade (para atividades de médio risco)"),
            required=False,
            help_text=kind.terms_text[:300],
        )
    form_class: Any = type("PermitRequestForm", (base,), extra)
    fields: Any = form_class.base_fields
    for key in ("subject", "description"):
        fields.pop(key, None)
    return form_class


class FilesForm(forms.Form):
    arquivos = MultipleFileField(label=_("Arquivos"))


class TextForm(forms.Form):
    text = forms.CharField(label=_("Texto"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class OpinionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Parecer"), choices=[("favoravel", _("Favorável")), ("desfavoravel", _("Desfavorável"))]
    )
    text = forms.CharField(
        label=_("Fundamentação"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class AppealVerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Decisão"),
        choices=[("provido", _("Provido: emitir o alvará")), ("improvido", _("Não provido"))],
        initial="improvido",
        widget=forms.RadioSelect,
    )


class StatusFilterForm(forms.Form):
    situacao = forms.ChoiceField(label=_("Situação"), required=False)

    def __init__(self, *args: object, choices: list[tuple[str, Any]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["situacao"].choices = [("", _("Todas")), *choices]  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Código do autenticador (assinatura avançada)"), max_length=10, required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Nova situação"),
        choices=[("suspenso", _("Suspender")), ("cassado", _("Cassar")), ("vigente", _("Reativar"))],
    )
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Nome da regra"), max_length=200)
    position = forms.IntegerField(label=_("Ordem"), min_value=0, initial=0)
    conditions = forms.CharField(
        label=_("Condições (JSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial='[{"campo": "risco", "valor": "III"}]',
        help_text=_("Campos: tipo, risco, area_acima, bairro, grupo_atividade. Todas precisam valer."),
    )
    stages = forms.CharField(
        label=_("Etapas (JSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Ex.: [[{"unidade": "SEMA", "dias": 10}, {"unidade": "SEMUS-VISA", "dias": 10}],'
            ' [{"unidade": "SEPLOG-ALV", "dias": 5}]] — unidades de uma etapa em paralelo,'
            " etapas em sequência."
        ),
    )
    is_published = forms.BooleanField(label=_("Publicada"), required=False)


class RuleTestForm(forms.Form):
    kind_code = forms.CharField(label=_("Tipo (código do serviço)"), max_length=60)
    risk_level = forms.ChoiceField(label=_("Nível de risco"), choices=RiskLevel.choices)
    area_m2 = forms.DecimalField(label=_("Área (m²)"), required=False)
    neighbourhood = forms.CharField(label=_("Bairro"), required=False, max_length=120)
    activities = forms.CharField(label=_("CNAE"), required=False, max_length=200)


class RiskOverrideForm(forms.Form):
    cnae = forms.CharField(label=_("CNAE"), max_length=12)
    level = forms.ChoiceField(label=_("Nível no município"), choices=RiskLevel.choices)
    note = forms.CharField(label=_("Fundamento (norma municipal)"), max_length=300, required=False)
