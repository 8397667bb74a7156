from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from validate_docbr import CPF

from tenant_apps.org.enums import Role

from .models import User


class CitizenRegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nome completo"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    cpf = forms.CharField(
        label=_("CPF"),
        max_length=14,
        help_text=_("Somente números ou no formato 000.000.000-00."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Celular (opcional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Senha"),
        strip=False,
        help_text=_("Pelo menos 10 caracteres, sem ser só números."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label=_("Repita a senha"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(
            "Li e concordo com o uso dos meus dados para atendimento, conforme a LGPD (Lei 13.709/2018)."
        ),
        error_messages={"required": _("É preciso concordar para criar a conta.")},
    )

    def clean_cpf(self) -> str:
        # checked here too, so a CPF typo shows with every other error in the same round
        digits = "".join(ch for ch in self.cleaned_data["cpf"] if ch.isdigit())
        if len(digits) != 11 or not CPF().validate(digits):
            raise forms.ValidationError(_("CPF inválido: confira os números digitados."))
        return digits

    def clean(self) -> dict:
        data = super().clean() or {}
        password = data.get("password")
        if password and password != data.get("password_confirmation"):
            self.add_error("password_confirmation", _("As senhas não conferem."))
        elif password:
            candidate = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", " ".join(error.messages))
        return data


class InvitationAcceptForm(forms.Form):
    password = forms.CharField(
        label=_("Crie uma senha"),
        strip=False,
        help_text=_("Pelo menos 10 caracteres, sem ser só números nem parecida com o seu nome ou e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label=_("Repita a senha"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_confirmation"):
            self.add_error("password_confirmation", _("As senhas não conferem."))
        return data


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Nome completo"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    unit = forms.TypedChoiceField(label=_("Unidade"), coerce=int)
    role = forms.ChoiceField(label=_("Papel"), choices=Role.choices, initial=Role.STAFF)

    def __init__(self, *args: Any, units: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)  # noqa: S101 - declared above
        unit_field.choices = [("", _("Escolha a unidade")), *units]
