from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality


class OffboardingRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo do encerramento"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    confirmation = forms.CharField(
        label=_("Para confirmar, digite o identificador do município"), max_length=42
    )

    def __init__(self, *args: object, slug: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.slug = slug

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value != self.slug:
            raise forms.ValidationError(
                _("O identificador digitado não confere com “%(slug)s”.") % {"slug": self.slug}
            )
        return value


class ExportForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Município"), queryset=Municipality.objects.order_by("name")
    )
    reason = forms.CharField(
        label=_("Motivo (o município aprova o pedido, conforme a política de acesso do suporte)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
