"""Forms of the health pages (rendered by the product's one form layer, paco.forms)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.org.models import OrgUnit
from tenant_apps.scheduling.enums import Weekday

from .enums import KIND_FIRST, KIND_PRIORITY, KIND_RETURN, PriorityGroup, UnitKind
from .models import HealthSettings, HealthUnit, Professional, Specialty
from .validators import digits_only, validate_cbo, validate_cnes, validate_cns


class PatientForm(forms.Form):
    cns = forms.CharField(
        label=_("Número do Cartão Nacional de Saúde (CNS)"),
        max_length=20,
        help_text=_("Os 15 números do seu cartão do SUS (sem espaços é mais fácil)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nascimento = forms.DateField(
        label=_("Data de nascimento"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    prioridade = forms.ChoiceField(
        label=_("Atendimento prioritário"),
        choices=PriorityGroup.choices,
        required=False,
        help_text=_("Pessoas idosas já têm prioridade pela data de nascimento (Lei 10.741/2003)."),
    )

    def clean_cns(self) -> str:
        value = digits_only(self.cleaned_data["cns"])
        validate_cns(value)
        return value


class SlotFilterForm(forms.Form):
    profissional = forms.ModelChoiceField(
        label=_("Profissional"),
        queryset=Professional.objects.none(),
        required=False,
        empty_label=_("Qualquer profissional (mais horários)"),
    )

    unidade = forms.ModelChoiceField(
        label=_("Unidade de saúde"),
        queryset=HealthUnit.objects.none(),
        required=False,
        empty_label=_("Qualquer unidade"),
    )

    def __init__(self, *args: Any, specialty: Specialty, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["profissional"]).queryset = (
            Professional.objects.filter(
                is_active=True, schedules__specialty=specialty, schedules__is_active=True
            )
            .distinct()
            .order_by("name")
        )
        cast(forms.ModelChoiceField, self.fields["unidade"]).queryset = (
            HealthUnit.objects.filter(
                is_active=True, schedules__specialty=specialty, schedules__is_active=True
            )
            .distinct()
            .order_by("name")
        )


class NotesForm(forms.Form):
    observacoes = forms.CharField(
        label=_("Quer contar algo ao profissional? (opcional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(forms.Form):
    motivo = forms.CharField(label=_("Motivo (opcional)"), required=False, max_length=300)


class EmergencyForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo da emergência"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("O acesso fica registrado com este motivo, e o paciente vê quem acessou os dados dele."),
    )


class AttendanceForm(forms.Form):
    anotacoes = forms.CharField(
        label=_("Anotações do atendimento"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ficam no histórico do paciente; só os profissionais que o atendem as veem."),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = HealthSettings
        fields = [
            "secretariat",
            "opens_weekday",
            "opens_time",
            "cancel_limit_hours",
            "open_bookings_per_specialty",
            "no_show_limit",
            "no_show_window_days",
            "suspension_days",
            "offer_hold_minutes",
            "return_window_days",
        ]
        widgets = {"opens_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class SpecialtyForm(forms.Form):
    nome = forms.CharField(label=_("Especialidade"), max_length=120)


class UnitForm(forms.Form):
    nome = forms.CharField(label=_("Nome"), max_length=200)
    cnes = forms.CharField(
        label=_("CNES"), max_length=7, validators=[validate_cnes], help_text=_("7 dígitos.")
    )
    tipo = forms.ChoiceField(label=_("Tipo"), choices=UnitKind.choices)
    setor = forms.ModelChoiceField(
        label=_("Setor no organograma (recepção)"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("name"),
    )
    endereco = forms.CharField(label=_("Endereço"), max_length=300, required=False)


class ProfessionalForm(forms.Form):
    servidor = forms.ModelChoiceField(
        label=_("Servidor"),
        queryset=User.objects.filter(
            kind=UserKind.STAFF, is_active=True, health_professional__isnull=True
        ).order_by("full_name"),
    )
    cns = forms.CharField(label=_("CNS"), max_length=20, help_text=_("15 dígitos."))
    cbo = forms.CharField(
        label=_("CBO (ocupação)"),
        max_length=6,
        validators=[validate_cbo],
        help_text=_("6 dígitos, por exemplo 225125."),
    )
    conselho = forms.CharField(label=_("Registro no conselho (CRM, COREN...)"), max_length=40, required=False)
    especialidades = forms.ModelMultipleChoiceField(
        label=_("Especialidades"),
        queryset=Specialty.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_cns(self) -> str:
        value = digits_only(self.cleaned_data["cns"])
        validate_cns(value)
        return value


class ScheduleForm(forms.Form):
    profissional = forms.ModelChoiceField(
        label=_("Profissional"), queryset=Professional.objects.filter(is_active=True)
    )
    unidade = forms.ModelChoiceField(label=_("Unidade"), queryset=HealthUnit.objects.filter(is_active=True))
    especialidade = forms.ModelChoiceField(
        label=_("Especialidade"), queryset=Specialty.objects.filter(is_active=True)
    )
    duracao = forms.IntegerField(
        label=_("Duração de cada consulta (minutos)"), min_value=5, max_value=240, initial=20
    )


KIND_CHOICES = [
    (KIND_FIRST, _("Primeira consulta")),
    (KIND_RETURN, _("Retorno")),
    (KIND_PRIORITY, _("Prioritário (Lei 10.048/2000 e Lei 10.741/2003)")),
]


class WindowForm(forms.Form):
    dias = forms.TypedMultipleChoiceField(
        label=_("Dias da semana"), choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    inicio = forms.TimeField(label=_("Das"), widget=forms.TimeInput(attrs={"type": "time"}))
    fim = forms.TimeField(label=_("Às"), widget=forms.TimeInput(attrs={"type": "time"}))
    tipo = forms.ChoiceField(label=_("Tipo de horário"), choices=KIND_CHOICES)


class BlockForm(forms.Form):
    dia = forms.DateField(label=_("Dia bloqueado"), widget=forms.DateInput(attrs={"type": "date"}))
    motivo = forms.CharField(label=_("Motivo"), max_length=200)


class SuspensionLiftForm(forms.Form):
    cidadao = forms.IntegerField(widget=forms.HiddenInput)
    motivo = forms.CharField(
        label=_("Motivo para retirar a suspensão"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fica registrado com o seu nome, a data e a hora."),
    )


class BookForPatientForm(forms.Form):
    """The reception finds the patient by CPF and CNS and picks the specialty (and a unit)."""

    cpf = forms.CharField(
        label=_("CPF do cidadão"), max_length=14, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    cns = forms.CharField(
        label=_("CNS do cidadão"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    especialidade = forms.ModelChoiceField(
        label=_("Especialidade"), queryset=Specialty.objects.filter(is_active=True).order_by("name")
    )

    def clean_cpf(self) -> str:
        value = digits_only(self.cleaned_data["cpf"])
        if len(value) != 11:
            raise forms.ValidationError(_("O CPF tem 11 números."))
        return value

    def clean_cns(self) -> str:
        value = digits_only(self.cleaned_data["cns"])
        validate_cns(value)
        return value


class BookChoiceForm(forms.Form):
    """One of the free times listed for the patient (the search travels hidden)."""

    cpf = forms.CharField(widget=forms.HiddenInput)
    cns = forms.CharField(widget=forms.HiddenInput)
    especialidade = forms.IntegerField(widget=forms.HiddenInput)
    horario = forms.ChoiceField(label=_("Horário"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["horario"]).choices = choices
