from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shared_apps.billing.selectors import plan_list
from tenants.enums import State

from .enums import PaymentMethod
from .selectors import ibge_municipality_list_by_uf


def _plan_label(low: int, high: int | None, name: str, fee: str) -> str:
    def number(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    if high is None:
        population = _("acima de %(low)s habitantes") % {"low": number(low - 1)}
    elif low <= 1:
        population = _("até %(high)s habitantes") % {"high": number(high)}
    else:
        population = _("de %(low)s a %(high)s habitantes") % {"low": number(low), "high": number(high)}
    return _("%(name)s (%(population)s): %(fee)s por mês") % {
        "name": name,
        "population": population,
        "fee": fee,
    }


def plan_choices() -> list[tuple[str, str]]:
    choices = []
    low = 1
    for plan in plan_list():
        choices.append(
            (plan.code, _plan_label(low, plan.max_population, plan.name, plan.monthly_fee_display))
        )
        low = (plan.max_population or 0) + 1
    return choices


class SignupForm(forms.Form):
    uf = forms.ChoiceField(
        label=_("Estado (UF)"),
        choices=[("", _("Selecione o estado")), *State.choices],
        widget=forms.Select(
            attrs={
                "hx-get": reverse_lazy("onboarding:municipality_options"),
                "hx-target": "#id_ibge_code",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        ),
    )
    ibge_code = forms.CharField(label=_("Município"), max_length=7, widget=forms.Select)
    admin_full_name = forms.CharField(label=_("Seu nome completo"), max_length=150)
    admin_cpf = forms.CharField(
        label=_("Seu CPF"), max_length=14, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    admin_email = forms.EmailField(
        label=_("Seu e-mail institucional"),
        max_length=254,
        help_text=_("Enviaremos para ele o link de confirmação."),
    )
    slug = forms.CharField(
        label=_("Endereço do portal"),
        max_length=42,
        help_text=_("Letras minúsculas, números e hífens: por exemplo, nossa-cidade."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "spellcheck": "false", "data-paco-slug-from": "id_ibge_code"}
        ),
    )
    plan_code = forms.ChoiceField(label=_("Plano"), widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(
        label=_("Forma de pagamento"), choices=PaymentMethod.choices, widget=forms.RadioSelect
    )
    # honeypot: hidden from people, filled in by bots
    website = forms.CharField(
        label=_("Não preencha este campo"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "data-honeypot": "1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_code"].choices = plan_choices()  # type: ignore[attr-defined]
        uf = str((self.data if self.is_bound else self.initial).get("uf") or "")
        options: list[tuple[str, Any]] = [("", _("Selecione o município"))]
        options += [(row.ibge_code, row.name) for row in ibge_municipality_list_by_uf(uf)] if uf else []
        self.fields["ibge_code"].widget.choices = options  # type: ignore[attr-defined]
