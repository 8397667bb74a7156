"""HTML forms of the staff actions on a case (the request form itself is `catalog.request_form`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from paco.forms import MultipleFileField
from tenant_apps.org.models import OrgUnit


class AttachForm(forms.Form):
    """Documents a clerk joins to a case (the view reads request.FILES and `descricao`)."""

    descricao = forms.CharField(label=_("Descrição"), max_length=200, required=False)
    arquivos = MultipleFileField(label=_("Arquivos"))


def _otp_field() -> forms.CharField:
    """The author signs the document (tenant_apps.signatures): simple, or advanced with this code."""
    return forms.CharField(
        label=_("Código do segundo fator (opcional: assina como assinatura avançada)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class DispatchForm(forms.Form):
    text = forms.CharField(label=_("Despacho"), widget=forms.Textarea(attrs={"rows": 3}))
    # internal by default: a note reaches the citizen only when the clerk ticks the box
    is_public = forms.BooleanField(label=_("Visível para o requerente"), required=False, initial=False)
    otp_token = _otp_field()


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
    otp_token = _otp_field()


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
