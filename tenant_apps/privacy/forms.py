from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.models import OrgUnit

from .enums import ConsentPurpose, SubjectRequestKind


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("O que você pede"), choices=SubjectRequestKind.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Quais dados e o que deve mudar"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ConsentForm(forms.Form):
    """One checkbox per purpose; the label is the text shown, recorded with the choice."""

    def __init__(self, *args: object, current: dict[str, bool], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for purpose in ConsentPurpose:
            self.fields[purpose.value] = forms.BooleanField(
                label=purpose.label, required=False, initial=current.get(purpose.value, True)
            )


class PrivacyNoticeForm(forms.Form):
    body = forms.CharField(label=_("Aviso de privacidade"), widget=forms.Textarea(attrs={"rows": 10}))
    dpo_name = forms.CharField(label=_("Encarregado de dados (nome)"), max_length=200)
    dpo_email = forms.EmailField(label=_("E-mail do encarregado"))
    dpo_phone = forms.CharField(label=_("Telefone do encarregado"), max_length=30, required=False)
    dpo_unit = forms.ModelChoiceField(
        label=_("Unidade que recebe os pedidos dos titulares"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("name"),
        required=True,
    )
