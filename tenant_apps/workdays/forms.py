from django import forms
from django.utils.translation import gettext_lazy as _


class MunicipalHolidayForm(forms.Form):
    date = forms.DateField(label=_("Data"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(
        label=_("Nome"),
        max_length=200,
        help_text=_("Ex.: Aniversário da cidade, Dia do padroeiro, Ponto facultativo."),
    )
