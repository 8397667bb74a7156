"""Forms of the indicator pages (rendered by the project's form renderer, gov.br markup)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.models import OrgUnit

from .models import InsightsSettings

MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """The period picker: from, to, and optionally one unit of the person's scope."""

    de = forms.DateField(label=_("De"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ate = forms.DateField(label=_("Até"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    unidade = forms.ModelChoiceField(
        label=_("Unidade"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Todas")
    )

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["unidade"])
        field.queryset = OrgUnit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("acronym")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("de"), data.get("ate")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if last < first:
                raise forms.ValidationError(_("A data final é anterior à inicial."))
            if (last - first).days >= MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Escolha um período de até três anos."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = InsightsSettings
        fields = ["cost_per_page", "small_cell_threshold", "city_wide_unit", "shares_comparison"]
