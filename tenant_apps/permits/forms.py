"""Forms of the permits pages (rendered by the one form layer, paco.forms)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from paco.forms import MultipleFileField, decimal_field
from tenant_apps.catalog.request_form import service_request_form_class
from tenant_apps.doctemplates.models import DocumentTemplate
from tenant_apps.documents.enums import DocumentKind

from .enums import FeeMode, KindType, RiskLevel
from .models import ChecklistItem, PermitKind

CHECKLIST_PREFIX = "checklist_"
BULK_FIELD = "documentos"


def checklist_field_name(item_id: int) -> str:
    return f"{CHECKLIST_PREFIX}{item_id}"


def checklist_file_field(item: ChecklistItem) -> forms.FileField:
    """The file field of one checklist item, its help saying what the pre-analysis checks."""
    details: list[str] = []
    if item.accepted_types:
        details.append(", ".join(value.split("/")[-1].upper() for value in item.accepted_types))
    details.append(_("até %(size)s MB") % {"size": item.max_size_mb})
    if item.validity_days:
        details.append(_("emitido há no máximo %(days)s dias") % {"days": item.validity_days})
    if item.must_be_signed:
        details.append(str(_("assinado digitalmente")))
    return forms.FileField(
        label=item.name, required=False, help_text="; ".join(str(detail) for detail in details)
    )


def permit_request_form_class(kind: PermitKind) -> type[forms.Form]:
    """The kind's catalogue form (catalog.request_form) plus its checklist, a box for several files at
    once (classified by the admin's rules) and the termo de ciência for level II."""
    base = service_request_form_class(kind.service)
    extra: dict[str, forms.Field] = {}
    for item in kind.checklist.all():
        extra[checklist_field_name(item.pk)] = checklist_file_field(item)
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
    """The requester's fix-up: one file field per checklist item the pre-analysis found missing or
    with a problem (the new file replaces that item's files), and a box for other files, which the
    rules classify (a classified file replaces the older files of its item too)."""

    arquivos = MultipleFileField(
        label=_("Outros arquivos"),
        required=False,
        help_text=_("Identificamos cada arquivo pelo nome e pelo conteúdo; você confere o resultado."),
    )

    def __init__(self, *args: Any, items: Iterable[ChecklistItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        per_item = {checklist_field_name(item.pk): checklist_file_field(item) for item in items}
        self.fields = {**per_item, **self.fields}


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


# --- the municipal admin's edit pages ------------------------------------------------------------------

AREA_BRACKETS = 5


class RuleEditForm(RuleForm):
    """Editing a rule: publishing is its own button (a published rule's edit becomes a draft version)."""

    is_published = None  # type: ignore[assignment]


class KindDataForm(forms.Form):
    """What the requester sees: the catalogue service's name and description and which answers of its
    form are required (the questions themselves are built in the Carta de Serviços)."""

    name = forms.CharField(label=_("Nome do tipo de alvará"), max_length=200)
    description = forms.CharField(
        label=_("Descrição para o requerente"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    required_keys = forms.MultipleChoiceField(
        label=_("Respostas obrigatórias do formulário"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("CPF/CNPJ e nome (e o CNAE, quando o risco vem da atividade) são sempre obrigatórios."),
    )

    def __init__(self, *args: Any, field_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_keys"].choices = field_choices  # type: ignore[attr-defined]


class KindTypeForm(forms.Form):
    """What kind of permit it is and where its risk level comes from (Decreto 10.178/2019, art. 3º)."""

    kind_type = forms.ChoiceField(label=_("Espécie"), choices=KindType.choices)
    uses_activity_risk = forms.BooleanField(
        label=_("O nível de risco vem das atividades (CNAE) do pedido"),
        required=False,
        help_text=_("O mais alto entre as atividades, com os níveis próprios da cidade onde houver."),
    )
    fixed_level = forms.ChoiceField(
        label=_("Nível de risco quando não vem das atividades"),
        choices=RiskLevel.choices,
        help_text=_(
            "Nível I dispensa o alvará; nível II é emitido sem análise; nível III vai aos pareceres."
        ),
    )


class KindFeeForm(forms.Form):
    """The fee table: a fixed value, a value per risk level (level I pays nothing) or area brackets."""

    fee_mode = forms.ChoiceField(label=_("Como a taxa é cobrada"), choices=FeeMode.choices)
    fee_fixed = decimal_field(_("Valor fixo (R$)"), required=False, max_digits=10)
    fee_risk_ii = decimal_field(_("Nível II — médio risco (R$)"), required=False, max_digits=10)
    fee_risk_iii = decimal_field(_("Nível III — alto risco (R$)"), required=False, max_digits=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, AREA_BRACKETS + 1):
            self.fields[f"area_up_to_{number}"] = decimal_field(
                _("Faixa %(n)s: até (m²)") % {"n": number}, required=False, max_digits=10
            )
            self.fields[f"area_amount_{number}"] = decimal_field(
                _("Faixa %(n)s: valor (R$)") % {"n": number}, required=False, max_digits=10
            )

    @staticmethod
    def initial_for(mode: str, table: dict[str, Any]) -> dict[str, Any]:
        def number(raw: Any) -> Decimal | None:  # a Decimal is shown the Brazilian way (180,00)
            return None if raw is None else Decimal(str(raw))

        initial: dict[str, Any] = {"fee_mode": mode}
        if mode == FeeMode.FIXED:
            initial["fee_fixed"] = number(table.get("valor"))
        elif mode == FeeMode.RISK:
            initial.update(fee_risk_ii=number(table.get("II")), fee_risk_iii=number(table.get("III")))
        elif mode == FeeMode.AREA:
            for index, (up_to, amount) in enumerate(table.get("faixas", [])[:AREA_BRACKETS], start=1):
                initial[f"area_up_to_{index}"] = number(up_to)
                initial[f"area_amount_{index}"] = number(amount)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("fee_mode")
        if mode == FeeMode.FIXED and data.get("fee_fixed") is None:
            self.add_error("fee_fixed", _("Informe o valor fixo da taxa."))
        if mode == FeeMode.RISK:
            for key in ("fee_risk_ii", "fee_risk_iii"):
                if data.get(key) is None:
                    self.add_error(key, _("Informe o valor para este nível."))
        if mode == FeeMode.AREA:
            rows = self._area_rows(data)
            if not rows:
                self.add_error("area_amount_1", _("Informe ao menos uma faixa de área com o seu valor."))
            for number, _up_to, amount in rows:
                if amount is None:
                    self.add_error(f"area_amount_{number}", _("Informe o valor desta faixa."))
        return data

    @staticmethod
    def _area_rows(data: dict[str, Any]) -> list[tuple[int, Any, Any]]:
        rows = []
        for number in range(1, AREA_BRACKETS + 1):
            up_to, amount = data.get(f"area_up_to_{number}"), data.get(f"area_amount_{number}")
            if up_to is not None or amount is not None:
                rows.append((number, up_to, amount))
        return rows

    def fee_table(self) -> dict[str, Any]:
        data = self.cleaned_data
        mode = data["fee_mode"]
        if mode == FeeMode.FIXED:
            return {"valor": str(data["fee_fixed"])}
        if mode == FeeMode.RISK:
            return {"I": "0", "II": str(data["fee_risk_ii"]), "III": str(data["fee_risk_iii"])}
        if mode == FeeMode.AREA:
            return {
                "faixas": [
                    [str(up_to) if up_to is not None else None, str(amount)]
                    for _number, up_to, amount in self._area_rows(data)
                ]
            }
        return {}


class KindIssueForm(forms.Form):
    """How the permit is issued: template, signature level, the tacit-approval deadline, validity."""

    template = forms.ModelChoiceField(
        label=_("Modelo do alvará"),
        queryset=DocumentTemplate.objects.none(),
        required=False,
        empty_label=_("Texto padrão do Paço (sem modelo)"),
        help_text=_("Modelos publicados da espécie alvará (Administração › Modelos de documento)."),
    )
    signature_level = forms.ChoiceField(
        label=_("Nível de assinatura do alvará"),
        choices=[
            ("simples", _("Simples")),
            ("avancada", _("Avançada (com o código do autenticador)")),
        ],
        help_text=_("Lei 14.063/2020, art. 4º. Atos automáticos são selados com a chave da prefeitura."),
    )
    decision_days = forms.IntegerField(
        label=_("Prazo de decisão (dias úteis)"),
        min_value=1,
        max_value=365,
        help_text=_("Esgotado sem resposta, o pedido é aprovado tacitamente (Lei 13.874/2019, art. 3º, IX)."),
    )
    validity_days = forms.IntegerField(
        label=_("Validade do alvará (dias corridos)"), min_value=1, max_value=3650
    )
    conditions = forms.CharField(
        label=_("Condicionantes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Impressas em todo alvará deste tipo (ex.: manter o alvará em local visível)."),
    )
    terms_text = forms.CharField(
        label=_("Termo de ciência e responsabilidade"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_(
            "O requerente de médio risco (nível II) o aceita e o alvará sai sem análise humana"
            " (Decreto 10.178/2019, art. 3º, II)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = DocumentTemplate.objects.filter(  # type: ignore[attr-defined]
            is_published=True, kind=DocumentKind.PERMIT
        ).order_by("name", "id")


class ChecklistItemForm(forms.Form):
    name = forms.CharField(label=_("Documento"), max_length=200)
    accepted_types = forms.MultipleChoiceField(
        label=_("Tipos de arquivo aceitos"),
        widget=forms.CheckboxSelectMultiple,
        choices=[("application/pdf", "PDF"), ("image/jpeg", "JPEG"), ("image/png", "PNG")],
        help_text=_("O tipo é conferido pelo conteúdo do arquivo, não pelo nome."),
    )
    max_size_mb = forms.IntegerField(label=_("Tamanho máximo (MB)"), min_value=1, max_value=50, initial=10)
    validity_days = forms.IntegerField(
        label=_("Emitido há no máximo (dias)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_(
            "Ex.: 90 para \u201ccertidão emitida há no máximo 90 dias\u201d. Em branco: sem validade."
        ),
    )
    must_be_signed = forms.BooleanField(label=_("Precisa estar assinado digitalmente"), required=False)
    is_required = forms.BooleanField(label=_("Obrigatório"), required=False, initial=True)
    match_words = forms.CharField(
        label=_("Palavras para identificar o arquivo"),
        max_length=500,
        required=False,
        help_text=_("Separadas por vírgula; procuradas no nome do arquivo e no texto."),
    )

    def words(self) -> list[str]:
        return [word.strip() for word in self.cleaned_data.get("match_words", "").split(",") if word.strip()]


class FileClassifyForm(forms.Form):
    """Staff correct the checklist item of one uploaded file (one small form per file, own prefix)."""

    item = forms.ModelChoiceField(
        label=_("Item do checklist"),
        queryset=ChecklistItem.objects.none(),
        required=False,
        empty_label=_("nenhum (não classificado)"),
    )

    def __init__(self, *args: Any, items: Any, file_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["item"]
        field.queryset = items
        if file_name:
            field.label = _("Item do checklist de %(name)s") % {"name": file_name}
