"""HTML forms of memos and circulars (rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Service
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.forms import second_factor_field


def _units() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Unidades de destino"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("acronym"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "paco-scroll"}),
    )


def _people(label: object) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=User.objects.filter(is_active=True, kind=UserKind.STAFF).order_by("full_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "paco-scroll"}),
    )


class MemoForm(forms.Form):
    sender_unit = forms.ModelChoiceField(label=_("Unidade remetente"), queryset=OrgUnit.objects.none())
    subject = forms.CharField(label=_("Assunto"), max_length=300)
    body = forms.CharField(label=_("Texto"), widget=forms.Textarea(attrs={"rows": 8}))
    to_units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.none(), required=False)
    to_users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    is_restricted = forms.BooleanField(
        label=_("Restrito: só a unidade remetente e os destinatários leem (documento preparatório)"),
        required=False,
    )
    otp_token = forms.CharField(
        label=_("Código do segundo fator (opcional: assina como assinatura avançada)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: object, sender_units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["sender_unit"].queryset = sender_units  # type: ignore[attr-defined]
        self.fields["to_units"] = _units()
        self.fields["to_users"] = _people(_("Pessoas de destino"))


class MemoReplyForm(forms.Form):
    body = forms.CharField(label=_("Resposta"), widget=forms.Textarea(attrs={"rows": 5}))
    otp_token = second_factor_field()


class MemoForwardForm(forms.Form):
    note = forms.CharField(label=_("Nota do encaminhamento"), widget=forms.Textarea(attrs={"rows": 3}))
    to_units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.none(), required=False)
    to_users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    otp_token = second_factor_field()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["to_units"] = _units()
        self.fields["to_users"] = _people(_("Pessoas de destino"))


class MemoCaseForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Serviço do protocolo"), queryset=Service.objects.filter(is_active=True).order_by("name")
    )


class CircularForm(forms.Form):
    sender_unit = forms.ModelChoiceField(label=_("Unidade remetente"), queryset=OrgUnit.objects.none())
    subject = forms.CharField(label=_("Assunto"), max_length=300)
    body = forms.CharField(label=_("Texto"), widget=forms.Textarea(attrs={"rows": 8}))
    units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.none(), required=False)
    include_subunits = forms.BooleanField(label=_("Incluir as unidades subordinadas"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Papéis (nas unidades escolhidas ou em toda a prefeitura)"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    everyone = forms.BooleanField(label=_("Todos os servidores da prefeitura"), required=False)
    users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    acknowledge_by = forms.DateField(
        label=_("Ciência até (opcional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, sender_units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["sender_unit"].queryset = sender_units  # type: ignore[attr-defined]
        self.fields["units"] = _units()
        self.fields["users"] = _people(_("Pessoas"))
