"""The municipal admin's branding form (/admin-municipal/marca/)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .validators import color_validator

IMAGE_TYPES = "image/png,image/jpeg,image/webp"


class BrandingForm(forms.Form):
    display_name = forms.CharField(
        label=_("Nome de exibição"),
        max_length=160,
        help_text=_("Aparece no cabeçalho e no rodapé do portal, por exemplo “Prefeitura Municipal de …”."),
    )
    primary_color = forms.CharField(
        label=_("Cor primária"),
        max_length=7,
        validators=[color_validator],
        help_text=_("Fundo de botões e do rodapé, com texto branco por cima: precisa de contraste de 4,5:1."),
        widget=forms.TextInput(attrs={"type": "color", "data-paco-preview": "primary"}),
    )
    secondary_color = forms.CharField(
        label=_("Cor secundária"),
        max_length=7,
        validators=[color_validator],
        help_text=_("Faixa sob o cabeçalho e destaques."),
        widget=forms.TextInput(attrs={"type": "color", "data-paco-preview": "secondary"}),
    )
    coat_of_arms = forms.FileField(
        label=_("Brasão (opcional)"),
        required=False,
        help_text=_("PNG, JPEG ou WebP, até 1 MB e 2000×2000 pixels. Deixe em branco para manter o atual."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )


class CustomDomainForm(forms.Form):
    hostname = forms.CharField(
        label=_("Domínio próprio"),
        max_length=300,
        help_text=_(
            "Um domínio oficial da prefeitura terminado em .gov.br, por exemplo "
            "servicos.suacidade.uf.gov.br. Depois de adicioná-lo, crie no DNS os registros indicados."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
    )


class CustomDomainRemoveForm(forms.Form):
    """Removing the domain that is the city's primary host moves every link back to the subdomain:
    the admin confirms it (a pending or merely verified domain is removed without asking)."""

    confirm = forms.BooleanField(
        label=_("Entendo que o portal volta a ser servido apenas no endereço do Paço"),
        required=True,
    )
