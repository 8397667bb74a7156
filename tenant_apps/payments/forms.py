from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from paco.forms import decimal_field

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


class SecretInput(forms.PasswordInput):
    """A secret typed in and never written back into the page, not even after a failed round."""

    def format_value(self, value: object) -> None:
        return None


class SecretTextarea(forms.Textarea):
    """A private key pasted in and never written back into the page."""

    def format_value(self, value: object) -> None:
        return None


class PspCredentialsForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Usar o PSP da prefeitura"),
        required=False,
        help_text=_("Desligado: vale o PSP da instalação, se houver; sem nenhum, o BR Code é gerado aqui."),
    )
    api_url = forms.URLField(
        label=_("Endereço da API Pix do PSP"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Por exemplo https://pix.banco.com.br/api (as chamadas vão para /v2/cob, /v2/pix...)."),
    )
    token_url = forms.URLField(
        label=_("Endereço do token OAuth2"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Vazio: o endereço da API seguido de /oauth/token."),
    )
    scope = forms.CharField(
        label=_("Escopos"),
        required=False,
        max_length=300,
        initial="cob.write cob.read pix.write pix.read webhook.write webhook.read",
    )
    client_id = forms.CharField(
        label=_("Identificador do cliente (client_id)"), required=False, max_length=200
    )
    client_secret = forms.CharField(
        label=_("Segredo do cliente (client_secret)"),
        required=False,
        strip=True,
        widget=SecretInput(attrs={"autocomplete": "off"}),
        help_text=_("Guardado cifrado e nunca exibido. Deixe vazio para manter o atual."),
    )
    certificate_pem = forms.CharField(
        label=_("Certificado do cliente para TLS mútuo (PEM)"),
        required=False,
        widget=SecretTextarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("O certificado que o PSP emitiu para a prefeitura. Deixe vazio para manter o atual."),
    )
    private_key_pem = forms.CharField(
        label=_("Chave privada do certificado (PEM)"),
        required=False,
        widget=SecretTextarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Guardada cifrada e nunca exibida. Deixe vazio para manter a atual."),
    )
    webhook_client_subject = forms.CharField(
        label=_("Titular do certificado do PSP nos avisos (subject DN)"),
        required=False,
        max_length=500,
        help_text=_(
            "O subject do certificado com que o PSP chama o webhook, "
            "por exemplo CN=webhook.banco.com.br,O=Banco SA,C=BR."
        ),
    )


class GuideOneOffForm(forms.Form):
    payer_name = forms.CharField(label=_("Nome do contribuinte"), max_length=200)
    payer_document = forms.CharField(
        label=_("CPF ou CNPJ do contribuinte"),
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Descrição"), max_length=200, help_text=_("O que a guia cobra, como o contribuinte verá.")
    )
    amount = decimal_field(_("Valor (R$)"), min_value=Decimal("0.01"))
    due_date = forms.DateField(
        label=_("Vencimento"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class RefundForm(forms.Form):
    amount = decimal_field(_("Valor a devolver (R$)"), min_value=Decimal("0.01"))
    reason = forms.CharField(
        label=_("Motivo da devolução"),
        max_length=140,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Vai para o banco junto com a devolução (até 140 caracteres)."),
    )
