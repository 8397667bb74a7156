"""Forms of the ombudsman pages. The filing form carries its own spam protection (no captcha):
a honeypot field people never see and a signed timestamp that rejects instant submissions."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.forms import second_factor_field

from .enums import IdentityMode, ManifestationKind
from .models import OmbudsmanSettings

FORM_SALT = "ombudsman.filing"
MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 6 * 3600
HONEYPOT_FIELD = "website"


def filing_token(now: float | None = None) -> str:
    return signing.dumps({"t": now if now is not None else time.time()}, salt=FORM_SALT)


class ManifestationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo"), choices=ManifestationKind.choices, widget=forms.RadioSelect)
    identity_mode = forms.ChoiceField(
        label=_("Como quer se identificar?"), choices=IdentityMode.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Assunto"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Sua manifestação ou pedido"),
        help_text=_(
            "Conte o que aconteceu, onde e quando. Num pedido de acesso à informação (LAI), diga qual "
            "informação você quer receber."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        error_messages={"required": _("Descreva a sua manifestação.")},
    )
    filer_name = forms.CharField(label=_("Nome"), max_length=200, required=False)
    filer_cpf = forms.CharField(label=_("CPF (opcional)"), max_length=14, required=False)
    filer_email = forms.EmailField(
        label=_("E-mail"), required=False, error_messages={"invalid": _("Digite um e-mail válido.")}
    )
    filer_phone = forms.CharField(label=_("Celular"), max_length=20, required=False)
    website = forms.CharField(
        label=_("Deixe este campo em branco"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "data-honeypot": "1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, check_spam: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check_spam = check_spam
        if not self.is_bound:
            self.initial["started"] = filing_token()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.check_spam:
            return cleaned
        if cleaned.get(HONEYPOT_FIELD):
            raise forms.ValidationError(_("Não foi possível registrar a manifestação. Tente novamente."))
        try:
            started = float(
                signing.loads(cleaned.get("started") or "", salt=FORM_SALT, max_age=MAX_FORM_AGE_SECONDS)["t"]
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                _("O formulário expirou ou foi alterado. Recarregue a página e envie de novo.")
            ) from None
        if time.time() - started < MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("O envio foi rápido demais. Confira os dados e envie de novo em alguns segundos.")
            )
        return cleaned


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportPeriodForm(forms.Form):
    """The report's period (read by the view from the query string; this form only renders it)."""

    inicio = forms.DateField(label=_("De"), required=False, widget=DATE_INPUT)
    fim = forms.DateField(label=_("Até"), required=False, widget=DATE_INPUT)


class FollowForm(forms.Form):
    nup = forms.CharField(label=_("Número do protocolo"), max_length=30)
    code = forms.CharField(label=_("Código de acompanhamento"), max_length=40)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Texto"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class CloseForm(TextForm):
    """The final answer, signed by whoever writes it: advanced when their second factor's code is typed."""

    otp_token = second_factor_field()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), max_length=500)


class RatingForm(forms.Form):
    is_resolved = forms.TypedChoiceField(
        label=_("O seu problema foi resolvido?"),
        choices=(("sim", _("Sim")), ("nao", _("Não"))),
        coerce=lambda value: value == "sim",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Qual a sua satisfação com o atendimento (1 a 5)?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class UnitInputForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unidade"), queryset=OrgUnit.objects.filter(is_active=True))
    text = forms.CharField(
        label=_("O que a unidade deve responder"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    text = forms.CharField(label=_("Decisão"), widget=forms.Textarea(attrs={"rows": 4}))
    is_granted = forms.BooleanField(label=_("Recurso provido"), required=False)


class SettingsForm(forms.ModelForm):
    """The municipality's deadlines (defaults: the federal rules cited in deadlines.py)."""

    class Meta:
        model = OmbudsmanSettings
        exclude: list[str] = []
