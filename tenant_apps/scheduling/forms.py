"""Forms of the scheduling pages (rendered by the product's one form layer)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Service
from tenant_apps.org.models import OrgUnit

from .enums import AttendanceOutcome, Weekday
from .models import Agenda, Resource, Subject
from .services import AGENDA_ADMIN_FIELDS


class SlotFilterForm(forms.Form):
    """What the citizen picks before the free times: the subject and, optionally, the attendant."""

    assunto = forms.ModelChoiceField(
        label=_("Assunto"), queryset=Subject.objects.none(), empty_label=_("Escolha o assunto")
    )
    atendente = forms.ModelChoiceField(
        label=_("Atendente"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("Qualquer atendente (mais horários)"),
    )

    def __init__(self, *args: Any, agenda: Agenda, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subjects = agenda.subjects.filter(is_active=True).order_by("position", "id")
        cast(forms.ModelChoiceField, self.fields["assunto"]).queryset = subjects
        cast(forms.ModelChoiceField, self.fields["atendente"]).queryset = Resource.objects.filter(
            agendas=agenda, is_active=True
        ).order_by("name")
        if not subjects.exists():
            del self.fields["assunto"]


class BookForm(forms.Form):
    observacoes = forms.CharField(
        label=_("Observações para o atendente (opcional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conte em poucas palavras o que você precisa, para o atendimento render mais."),
    )


class CancelForm(forms.Form):
    motivo = forms.CharField(label=_("Motivo (opcional)"), required=False, max_length=300)


class FinishForm(forms.Form):
    resultado = forms.ChoiceField(label=_("Resultado do atendimento"), choices=AttendanceOutcome.choices)
    anotacoes = forms.CharField(
        label=_("Anotações (ficam no histórico do protocolo)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class UploadForm(forms.Form):
    arquivo = forms.FileField(label=_("Documento"), help_text=_("PDF ou imagem, até 20 MB."))


class AgendaForm(forms.ModelForm):
    assuntos = forms.CharField(
        label=_("Assuntos (um por linha)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ex.: IPTU, ISS, ITBI, NFS-e. O cidadão escolhe um ao agendar."),
    )
    atendentes = forms.ModelMultipleChoiceField(
        label=_("Servidores que atendem"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Agenda
        fields = list(AGENDA_ADMIN_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = cast(dict[str, Any], self.fields)
        fields["unit"].queryset = OrgUnit.objects.filter(is_active=True).order_by("acronym")
        fields["catalog_service"].queryset = Service.objects.filter(is_active=True, is_public=True).order_by(
            "name"
        )
        fields["atendentes"].queryset = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
            "full_name"
        )
        fields["atendentes"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"
        if self.instance.pk:
            self.fields["assuntos"].initial = "\n".join(
                self.instance.subjects.filter(is_active=True)
                .order_by("position")
                .values_list("name", flat=True)
            )
            self.fields["atendentes"].initial = list(
                Resource.objects.filter(agendas=self.instance, user__isnull=False).values_list(
                    "user_id", flat=True
                )
            )

    def _post_clean(self) -> None:
        # the service (agenda_save) validates and saves; the model form only converts the values
        pass


class RuleForm(forms.Form):
    dias = forms.TypedMultipleChoiceField(
        label=_("Dias da semana"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Escolha ao menos um dia da semana.")},
    )
    inicio = forms.TimeField(label=_("Das"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    fim = forms.TimeField(label=_("Até"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    valido_de = forms.DateField(
        label=_("Válido a partir de (opcional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valido_ate = forms.DateField(
        label=_("Válido até (opcional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    vagas = forms.IntegerField(label=_("Vagas por horário"), min_value=1, max_value=100, initial=1)


class ExceptionForm(forms.Form):
    de = forms.DateTimeField(
        label=_("De"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ate = forms.DateTimeField(
        label=_("Até"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    motivo = forms.CharField(label=_("Motivo"), max_length=200, help_text=_("Ex.: férias, treinamento."))
