"""Forms of the signature pages (rendered with the gov.br field partial; writes go through services)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.models import User
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import Document

from .enums import SignatureLevel

PKCS12_MAX_BYTES = 64 * 1024


def second_factor_field() -> forms.CharField:
    """The author of a memo, reply, forward or answer signs it: simple (Lei 14.063/2020, art. 4º, I),
    or advanced (art. 4º, II) when this code of their second factor is typed."""
    return forms.CharField(
        label=_("Código do segundo fator (opcional: assina como assinatura avançada)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SignForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Nível da assinatura"), choices=SignatureLevel.choices, widget=forms.RadioSelect
    )
    otp_token = forms.CharField(
        label=_("Código do segundo fator (assinatura avançada)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    pkcs12 = forms.FileField(
        label=_("Certificado A1, arquivo .pfx ou .p12 (assinatura qualificada)"), required=False
    )
    pkcs12_password = forms.CharField(
        label=_("Senha do certificado (usada só nesta assinatura, nunca guardada)"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_pkcs12(self) -> Any:
        upload = self.cleaned_data.get("pkcs12")
        if upload is not None and upload.size > PKCS12_MAX_BYTES:
            raise forms.ValidationError(_("O arquivo do certificado é grande demais para um A1."))
        return upload


class GovBrStartForm(forms.Form):
    """ "Assinar com gov.br" on one document: the version the person read."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class RetryForm(forms.Form):
    """ "Tentar de novo" on a signature whose job gave up (the signer's own): the page to go back to.
    Rendered without ids (auto_id=False), as a thread may show more than one."""

    back = forms.ChoiceField(
        choices=[("documento", _("Documento")), ("memorando", _("Memorando"))], widget=forms.HiddenInput
    )


class EditForm(forms.Form):
    body = forms.CharField(label=_("Texto"), widget=forms.Textarea(attrs={"rows": 14}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class BlockForm(forms.Form):
    title = forms.CharField(label=_("Título do bloco"), max_length=200)
    # checkbox lists of the form layer (a scrolling box when long), in page order: in an ordered block
    # the signers sign in the order of this list
    documents = forms.TypedMultipleChoiceField(
        label=_("Documentos"), coerce=int, widget=forms.CheckboxSelectMultiple(attrs={"class": "paco-scroll"})
    )
    signers = forms.TypedMultipleChoiceField(
        label=_("Signatários"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "paco-scroll"}),
    )
    is_ordered = forms.BooleanField(label=_("Assinaturas em ordem (um depois do outro)"), required=False)
    level = forms.ChoiceField(
        label=_("Nível"), choices=SignatureLevel.choices, initial=SignatureLevel.ADVANCED
    )

    def __init__(
        self, *args: Any, documents: Sequence[Document], signers: Sequence[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(d.pk, f"{d.number} — {d.title}") for d in documents]  # type: ignore[attr-defined]
        self.fields["signers"].choices = [(u.pk, u.full_name) for u in signers]  # type: ignore[attr-defined]


class SignAllForm(forms.Form):
    blocks = forms.TypedMultipleChoiceField(
        label=_("Blocos"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    otp_token = forms.CharField(
        label=_("Código do segundo fator"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    pkcs12 = forms.FileField(label=_("Certificado A1 (blocos qualificados)"), required=False)
    pkcs12_password = forms.CharField(
        label=_("Senha do certificado"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    def __init__(self, *args: Any, blocks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["blocks"].choices = [  # type: ignore[attr-defined]
            (b.pk, f"{b.title} — {b.author.full_name} ({b.get_level_display()})") for b in blocks
        ]
        self.fields["blocks"].initial = [b.pk for b in blocks]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo da recusa"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PolicyForm(forms.Form):
    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in DocumentKind.choices:
            self.fields[f"kind_{value}"] = forms.ChoiceField(
                label=label, choices=SignatureLevel.choices, initial=current.get(value, SignatureLevel.SIMPLE)
            )
