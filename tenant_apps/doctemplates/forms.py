"""Forms of the template pages (rendered with the gov.br field partial; writes go through services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from paco.errors import ApplicationError
from tenant_apps.accounts.types import Viewer
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_is_municipal_admin, user_managed_unit_ids

from .engine import MERGE_FIELDS, template_body_check


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Nome do modelo"), max_length=160)
    kind = forms.ChoiceField(label=_("Espécie"), choices=DocumentKind.choices)
    unit = forms.TypedChoiceField(label=_("Unidade"), coerce=int, empty_value=None, required=False)
    body = forms.CharField(
        label=_("Texto"),
        widget=forms.Textarea(attrs={"rows": 14, "data-rich-text": "true"}),
        help_text=_(
            "Escreva e formate o texto com a barra de botões; para um dado do processo, escolha o campo"
            " em “Inserir campo” e clique em “Inserir”. Sem o editor (JavaScript desligado), escreva"
            " parágrafos em HTML simples e os campos como {{ caso.nup }}."
        ),
    )
    merge_field = forms.ChoiceField(
        label=_("Inserir campo"),
        required=False,
        widget=forms.Select(attrs={"data-merge-field-picker": "true"}),
        help_text=_("Dados do processo, do requerente, da unidade, do município, do signatário e a data."),
    )
    is_published = forms.BooleanField(label=_("Publicado (os servidores já podem usar)"), required=False)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.order_by("acronym")
        choices: list[tuple[Any, str]] = []
        if user_is_municipal_admin(user_id=user.pk):
            choices.append(("", str(_("Toda a prefeitura"))))
        else:
            units = units.filter(pk__in=user_managed_unit_ids(user))
        choices += [(unit.pk, f"{unit.acronym} · {unit.name}") for unit in units]
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]
        self.fields["merge_field"].choices = [("", _("Escolha um campo"))] + [  # type: ignore[attr-defined]
            (field.key, str(field.label)) for field in MERGE_FIELDS
        ]

    def clean_body(self) -> str:
        # the editor writes spaces as &nbsp;: inside "{{ }}" they must be plain spaces
        body = str(self.cleaned_data["body"]).replace("&nbsp;", " ")
        try:
            template_body_check(body)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return body


class PreviewForm(forms.Form):
    nup = forms.CharField(label=_("NUP de um processo"), max_length=25)


class GenerateForm(forms.Form):
    nup = forms.CharField(label=_("NUP do processo"), max_length=25)
    template = forms.TypedChoiceField(label=_("Modelo"), coerce=int)
    title = forms.CharField(label=_("Título (opcional)"), max_length=300, required=False)

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            (template.pk, f"{template.get_kind_display()} · {template.name}") for template in templates
        ]


class CityProfileForm(forms.Form):
    mayor_name = forms.CharField(label=_("Nome do(a) prefeito(a)"), max_length=200, required=False)
