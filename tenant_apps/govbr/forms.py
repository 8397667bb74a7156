from django import forms
from django.utils.translation import gettext_lazy as _


class LinkConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Senha da sua conta nesta prefeitura"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class GovBrClientForm(forms.Form):
    enabled = forms.BooleanField(label=_("Permitir a entrada com gov.br"), required=False)
    issuer = forms.URLField(
        label=_("Emissor (issuer)"),
        required=False,
        help_text=_("Vazio: o emissor da implantação (produção ou homologação do gov.br)."),
        assume_scheme="https",
    )
    client_id = forms.CharField(
        label=_("Identificador do cliente (client_id)"), max_length=200, required=False
    )
    client_secret = forms.CharField(
        label=_("Segredo do cliente (client_secret)"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Guardado cifrado e nunca exibido. Deixe vazio para manter o atual."),
    )


LEVEL_CHOICES = [
    ("", _("Nenhum (qualquer conta)")),
    ("bronze", _("Bronze")),
    ("prata", _("Prata")),
    ("ouro", _("Ouro")),
]


class RequirementsForm(forms.Form):
    """One select per catalogue service and per ombudsman kind: `servico:<code>`, `ouvidoria:<kind>`."""

    def __init__(
        self,
        *args: object,
        targets: list[tuple[str, str, str]],
        initial_levels: dict[str, str],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for target, code, label in targets:
            name = f"{target}:{code}"
            self.fields[name] = forms.ChoiceField(
                label=label, choices=LEVEL_CHOICES, required=False, initial=initial_levels.get(name, "")
            )
