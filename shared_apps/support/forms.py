from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import AccessMode


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo da suspensão"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrialExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("Dias a mais de avaliação"), min_value=1, max_value=settings.SUPPORT_TRIAL_EXTEND_MAX_DAYS
    )


class SessionRequestForm(forms.Form):
    # its own element ids: the suspension form on the same page also has a "reason"
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_session_%s")
        super().__init__(*args, **kwargs)

    target_email = forms.EmailField(
        label=_("Ver o sistema como (e-mail do servidor)"),
        help_text=_("Uma conta de servidor do município; nunca de cidadão."),
    )
    reason = forms.CharField(
        label=_("Motivo"), min_length=15, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.IntegerField(
        label=_("Duração (minutos)"),
        min_value=settings.SUPPORT_SESSION_MINUTES_MIN,
        max_value=settings.SUPPORT_SESSION_MINUTES_MAX,
        initial=settings.SUPPORT_SESSION_MINUTES_DEFAULT,
    )


class PolicyForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Acesso do suporte do Paço"), choices=AccessMode.choices, widget=forms.RadioSelect
    )
