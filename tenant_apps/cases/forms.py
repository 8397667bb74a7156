"""HTML forms: the dynamic request form of a service, and the staff actions on a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.catalog.enums import FieldKind
from tenant_apps.catalog.models import Service
from tenant_apps.org.models import OrgUnit


def service_request_form_class(service: Service) -> type[forms.Form]:
    """A form built from the service's typed fields (validation proper happens in the service layer)."""
    form_fields: dict[str, forms.Field] = {
        "subject": forms.CharField(label=_("Assunto (resumo do pedido)"), max_length=300, required=False),
        "description": forms.CharField(
            label=_("Descreva o pedido"), required=False, widget=forms.Textarea(attrs={"rows": 4})
        ),
    }
    for field in service.fields.all():
        common: dict[str, Any] = {
            "label": field.label,
            "required": field.is_required,
            "help_text": field.help_text,
        }
        if field.kind == FieldKind.LONG_TEXT or field.kind == FieldKind.ADDRESS:
            form_fields[field.key] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        elif field.kind == FieldKind.NUMBER:
            form_fields[field.key] = forms.CharField(
                widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
            )
        elif field.kind == FieldKind.DATE:
            form_fields[field.key] = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        elif field.kind == FieldKind.CHOICE:
            choices = [("", _("Selecione"))] + [(choice, choice) for choice in field.choices]
            form_fields[field.key] = forms.ChoiceField(choices=choices, **common)
        elif field.kind in (FieldKind.CPF, FieldKind.CNPJ):
            form_fields[field.key] = forms.CharField(
                widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common
            )
        elif field.kind == FieldKind.FILE:
            form_fields[field.key] = forms.FileField(**common)
        else:
            form_fields[field.key] = forms.CharField(max_length=500, **common)
    for requirement in service.required_attachments.all():
        form_fields[f"anexo_{requirement.pk}"] = forms.FileField(
            label=requirement.name, required=requirement.is_required, help_text=requirement.description
        )
    return type("ServiceRequestForm", (forms.Form,), form_fields)


class DispatchForm(forms.Form):
    text = forms.CharField(label=_("Despacho"), widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label=_("Visível para o requerente"), required=False, initial=True)


class ForwardForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label=_("Encaminhar para"), queryset=OrgUnit.objects.filter(is_active=True)
    )
    note = forms.CharField(label=_("Observação"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InformationRequestForm(forms.Form):
    question = forms.CharField(
        label=_("O que o requerente precisa informar"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    answer = forms.CharField(label=_("Resposta final"), widget=forms.Textarea(attrs={"rows": 4}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Motivo da reabertura"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Responsável"), widget=forms.Select)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Sua resposta"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CounterRequesterForm(forms.Form):
    """The person served at the counter (balcão); empty for an internal request of the unit."""

    cpf = forms.CharField(label=_("CPF do requerente"), max_length=14, required=False)
    full_name = forms.CharField(label=_("Nome do requerente"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail do requerente (para receber as notificações)"), required=False)
    phone = forms.CharField(label=_("Celular do requerente"), max_length=20, required=False)
