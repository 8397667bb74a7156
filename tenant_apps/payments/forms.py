from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import GuideStatus, PixKeyType


class PixSettingsForm(forms.Form):
    key_type = forms.ChoiceField(label=_("Tipo de chave Pix"), choices=PixKeyType.choices)
    key = forms.CharField(
        label=_("Chave Pix da prefeitura"),
        max_length=100,
        help_text=_("A chave da conta da prefeitura: as taxas vão direto para ela."),
    )
    merchant_name = forms.CharField(
        label=_("Nome do recebedor"),
        max_length=25,
        help_text=_("Como o banco do pagador mostra a prefeitura (até 25 caracteres)."),
    )
    merchant_city = forms.CharField(
        label=_("Cidade do recebedor"), max_length=15, help_text=_("Até 15 caracteres.")
    )


class GuideFilterForm(forms.Form):
    situacao = forms.ChoiceField(
        label=_("Situação"), required=False, choices=[("", _("Todas")), *GuideStatus.choices]
    )
    finalidade = forms.ChoiceField(label=_("Finalidade"), required=False, choices=[("", _("Todas"))])
    ano = forms.IntegerField(label=_("Ano"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Número, referência ou pagador"), required=False, max_length=100)

    def __init__(self, *args: object, purpose_choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["finalidade"].choices = [("", _("Todas")), *purpose_choices]  # type: ignore[attr-defined]


class GuideMarkPaidForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo da baixa manual"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Por exemplo: comprovante do Pix conferido no extrato do banco em 06/12."),
    )


class GuideCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo do cancelamento"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
