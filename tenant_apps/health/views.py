"""Pages of health appointments: the citizen's `/saude/`, the reception, the professional's day and the
patient's history, the managers' figures and the secretariat's configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import citizen_required, staff_required
from paco.errors import PASS_THROUGH, ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer, account
from tenant_apps.scheduling.enums import AppointmentStatus, Weekday
from tenant_apps.scheduling.models import Appointment
from tenant_apps.scheduling.services import cancel_deadline
from tenant_apps.scheduling.slots import week_opening

from . import services
from .enums import KIND_PRIORITY
from .forms import (
    AttendanceForm,
    BlockForm,
    BookChoiceForm,
    BookForPatientForm,
    CancelForm,
    EmergencyForm,
    NotesForm,
    PatientForm,
    ProfessionalForm,
    ScheduleForm,
    SettingsForm,
    SlotFilterForm,
    SpecialtyForm,
    SuspensionLiftForm,
    UnitForm,
    WindowForm,
)
from .models import Patient, Schedule, Specialty, WaitingListEntry
from .policies import health_settings, suspension_until
from .selectors import (
    appointment_list_for_citizen,
    appointment_page_for_citizen,
    free_slots,
    manager_figures,
    patient_get,
    patient_history,
    patient_of,
    professional_day,
    professional_of,
    reception_day,
    reception_units,
    record_access_list_for_citizen,
    specialty_list_bookable,
    suspension_lifts_recent,
    suspensions_current,
    user_is_health_manager,
    user_may_administer,
    waiting_list_for_citizen,
)

View = Callable[..., HttpResponse]


def _check(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """Verified staff for whom `allowed(user)` holds; other staff get a 404."""

    def decorator(view: View) -> View:
        @staff_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


professional_required = _check(lambda user: professional_of(user=user) is not None)
reception_required = _check(lambda user: reception_units(user=user).exists())
manager_required = _check(lambda user: user_is_health_manager(user=user))
reception_or_manager_required = _check(
    lambda user: reception_units(user=user).exists() or user_is_health_manager(user=user)
)
admin_required = _check(lambda user: user_may_administer(user=user))


def _professional(request: HttpRequest) -> Any:
    professional = professional_of(user=request.user)
    if professional is None:  # the decorator let only professionals in
        raise Http404
    return professional


def _form_error(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()


def _specialty(code: str) -> Specialty:
    specialty = specialty_list_bookable().filter(code=code).first()
    if specialty is None:
        raise Http404
    return specialty


def _opening_text(now: dt.datetime) -> str:
    rules = health_settings()
    return _("A agenda abre semana a semana: a da semana seguinte abre toda %(weekday)s às %(time)s.") % {
        "weekday": Weekday(rules.opens_weekday).label.lower(),
        "time": rules.opens_time.strftime("%H:%M"),
    }


# --- citizen ----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    patient = patient_of(user=user)
    context: dict[str, Any] = {
        "title": _("Consultas na rede municipal de saúde"),
        "specialties": specialty_list_bookable(),
        "patient": patient,
        "opening_text": _opening_text(now),
        "is_citizen": getattr(user, "kind", None) == UserKind.CITIZEN,
    }
    if patient is not None:
        cursor = request.GET.get("cursor", "")[:200]
        page = appointment_page_for_citizen(user=user, cursor=cursor)
        context["appointments"] = page.results
        context["next_cursor"] = page.next
        context["is_later_page"] = bool(cursor)
        context["waiting"] = waiting_list_for_citizen(user=account(user))
        until = suspension_until(citizen=user, now=now)
        context["suspended_until"] = timezone.localtime(until) if until else None
    elif context["is_citizen"]:
        context["form"] = PatientForm()
    return render(request, "health/home.html", context)


@require_POST
@citizen_required
def register(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST)
    if form.is_valid():
        try:
            services.patient_register(
                user=account(request.user),
                cns=form.cleaned_data["cns"],
                birth_date=form.cleaned_data["nascimento"],
                priority_group=form.cleaned_data["prioridade"] or "",
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, _("Cartão Nacional de Saúde registrado. Agora escolha a especialidade.")
            )
            return redirect("health:home")
    return render(
        request,
        "health/home.html",
        {
            "title": _("Consultas na rede municipal de saúde"),
            "specialties": specialty_list_bookable(),
            "form": form,
            "is_citizen": True,
            "opening_text": _opening_text(timezone.now()),
        },
        status=400,
    )


def _days(slots: list[Any]) -> list[dict[str, Any]]:
    days: dict[dt.date, dict[str, Any]] = {}
    for item in slots:
        local = timezone.localtime(item.starts_at)
        day = days.setdefault(
            local.date(), {"date": local.date(), "weekday": Weekday(local.weekday()).label, "times": []}
        )
        day["times"].append(
            {
                "label": local.strftime("%H:%M"),
                "iso": item.starts_at.isoformat(),
                "schedule": item.schedule,
                "priority": item.kind == KIND_PRIORITY,
            }
        )
    return list(days.values())


@require_GET
def specialty_page(request: HttpRequest, specialty_code: str) -> HttpResponse:
    specialty = _specialty(specialty_code)
    user = request.user
    patient = patient_of(user=user)
    form = SlotFilterForm(request.GET or None, specialty=specialty)
    valid = form.is_bound and form.is_valid()
    professional = form.cleaned_data.get("profissional") if valid else None
    unit = form.cleaned_data.get("unidade") if valid else None
    now = timezone.now()
    slots = free_slots(
        specialty=specialty,
        patient=patient,
        professional_id=professional.pk if professional else None,
        unit_id=unit.pk if unit else None,
        now=now,
    )
    schedule = Schedule.objects.filter(specialty=specialty, is_active=True).select_related("agenda").first()
    _opened, next_opening = week_opening(schedule.agenda, now=now) if schedule else (None, None)
    return render(
        request,
        "health/specialty.html",
        {
            "title": specialty.name,
            "specialty": specialty,
            "form": form,
            "days": _days(slots[:300]),
            "patient": patient,
            "next_opening": timezone.localtime(next_opening) if next_opening else None,
            "opening_text": _opening_text(now),
            "is_citizen": getattr(user, "kind", None) == UserKind.CITIZEN,
        },
    )


def _choice(specialty: Specialty, params: Any) -> tuple[Schedule, dt.datetime]:
    starts_at = parse_datetime(params.get("inicio") or "")
    if starts_at is None or timezone.is_naive(starts_at):
        raise ApplicationError(_("Escolha um dos horários livres."))
    raw = str(params.get("agenda") or "")
    schedule = (
        Schedule.objects.select_related("professional", "unit", "specialty", "agenda")
        .filter(pk=int(raw) if raw.isdigit() else 0, specialty=specialty, is_active=True)
        .first()
    )
    if schedule is None:
        raise ApplicationError(_("Escolha um dos horários livres."))
    return schedule, starts_at


@require_http_methods(["GET", "POST"])
@citizen_required
def confirm(request: HttpRequest, specialty_code: str) -> HttpResponse:
    specialty = _specialty(specialty_code)
    if patient_of(user=request.user) is None:
        messages.info(request, _("Informe o seu Cartão Nacional de Saúde (CNS) antes de agendar."))
        return redirect("health:home")
    form = NotesForm(request.POST if request.method == "POST" else None)
    error_message = ""
    choice: tuple[Schedule, dt.datetime] | None = None
    try:
        choice = _choice(specialty, request.GET)
    except ApplicationError as error:
        error_message = error.message
    if request.method == "POST" and choice is not None and form.is_valid():
        schedule, starts_at = choice
        kind = KIND_PRIORITY if request.GET.get("prioritario") == "1" else ""
        try:
            appointment = services.health_appointment_book(
                citizen=account(request.user),
                schedule=schedule,
                starts_at=starts_at,
                kind=kind,
                notes=form.cleaned_data["observacoes"],
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(request, _("Consulta marcada. Enviamos a confirmação para o seu e-mail."))
            return redirect("health:appointment", health_appointment_code=appointment.code)
    return render(
        request,
        "health/confirm.html",
        {
            "title": _("Confirmar a consulta"),
            "specialty": specialty,
            "schedule": choice[0] if choice else None,
            "local": timezone.localtime(choice[1]) if choice else None,
            "form": form,
            "error_message": error_message,
            "query": request.GET.urlencode(),
        },
        status=400 if error_message or request.method == "POST" else 200,
    )


def _own_appointment(request: HttpRequest, code: str) -> Appointment:
    appointment = appointment_list_for_citizen(user=request.user).filter(code=code).first()
    if appointment is None:
        raise Http404
    return appointment


@require_GET
@citizen_required
def appointment_page(request: HttpRequest, health_appointment_code: str) -> HttpResponse:
    appointment = _own_appointment(request, health_appointment_code)
    return _appointment_render(request, appointment, CancelForm())


def _appointment_render(
    request: HttpRequest, appointment: Appointment, form: Any, status: int = 200
) -> HttpResponse:
    deadline = cancel_deadline(appointment=appointment)
    return render(
        request,
        "health/appointment.html",
        {
            "title": _("Sua consulta"),
            "appointment": appointment,
            "schedule": appointment.agenda.health_schedule,
            "local": timezone.localtime(appointment.starts_at),
            "can_cancel": appointment.status == AppointmentStatus.BOOKED and timezone.now() <= deadline,
            "cancel_until": timezone.localtime(deadline),
            "form": form,
        },
        status=status,
    )


@require_POST
@citizen_required
def cancel(request: HttpRequest, health_appointment_code: str) -> HttpResponse:
    appointment = _own_appointment(request, health_appointment_code)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.health_appointment_cancel(
                appointment=appointment, actor=account(request.user), reason=form.cleaned_data["motivo"]
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Consulta cancelada. O horário foi liberado para outra pessoa."))
            return redirect("health:home")
    return _appointment_render(request, appointment, form, status=400)


@require_POST
@citizen_required
def waiting_join(request: HttpRequest, specialty_code: str) -> HttpResponse:
    specialty = _specialty(specialty_code)
    try:
        services.waiting_list_join(citizen=account(request.user), specialty=specialty)
    except PASS_THROUGH:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Você entrou na lista de espera de %(name)s. Avisamos por e-mail e SMS quando abrir uma vaga.")
            % {"name": specialty.name},
        )
    return redirect("health:home")


@require_POST
@citizen_required
def waiting_leave(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = WaitingListEntry.objects.filter(pk=entry_id, patient__user_id=int(request.user.pk or 0)).first()
    if entry is None:
        raise Http404
    services.waiting_list_leave(entry=entry, citizen=account(request.user))
    messages.success(request, _("Você saiu da lista de espera."))
    return redirect("health:home")


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_required
def offer(request: HttpRequest, offer_token: str) -> HttpResponse:
    found = services.slot_offer_for(token=offer_token, citizen=account(request.user))
    if found is None:
        raise Http404
    error_message = ""
    if request.method == "POST":
        try:
            appointment = services.slot_offer_accept(token=offer_token, citizen=account(request.user))
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(request, _("A vaga é sua: consulta marcada."))
            return redirect("health:appointment", health_appointment_code=appointment.code)
    return render(
        request,
        "health/offer.html",
        {
            "title": _("Uma vaga para você"),
            "offer": found,
            "local": timezone.localtime(found.starts_at),
            "expires": timezone.localtime(found.expires_at),
            "error_message": error_message,
        },
        status=400 if error_message else 200,
    )


@require_GET
@citizen_required
def accesses(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "health/accesses.html",
        {
            "title": _("Quem acessou meus dados de saúde"),
            "accesses": record_access_list_for_citizen(user=account(request.user))[:200],
        },
    )


# --- reception --------------------------------------------------------------------------------


@require_GET
@reception_required
def reception(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("dia"))
    return render(
        request,
        "health/reception.html",
        {
            "title": _("Recepção"),
            "day": day,
            "units": reception_units(user=request.user),
            "appointments": reception_day(user=request.user, day=day),
            "now": timezone.now(),
        },
    )


def _staff_appointment(code: str) -> Appointment:
    appointment = (
        Appointment.objects.select_related("agenda", "citizen")
        .filter(code=code, agenda__health_schedule__isnull=False)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


@require_POST
@reception_required
def reception_action(
    request: HttpRequest, health_appointment_code: str, reception_action: str
) -> HttpResponse:
    appointment = _staff_appointment(health_appointment_code)
    if not services.staff_is_reception(
        user=account(request.user), unit=appointment.agenda.health_schedule.unit
    ):
        raise Http404
    try:
        if reception_action == "chegada":
            services.check_in(appointment=appointment, actor=account(request.user))
            messages.success(
                request, _("Chegada registrada: %(name)s.") % {"name": appointment.citizen.full_name}
            )
        elif reception_action == "falta":
            services.no_show_mark(appointment=appointment, actor=account(request.user))
            messages.success(
                request, _("Falta registrada: %(name)s.") % {"name": appointment.citizen.full_name}
            )
        else:
            raise Http404
    except PASS_THROUGH:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    local = timezone.localtime(appointment.starts_at).date()
    return redirect(f"{reverse('health:reception')}?dia={local.isoformat()}")


@require_http_methods(["GET", "POST"])
@reception_or_manager_required
def suspensions(request: HttpRequest) -> HttpResponse:
    """Citizens suspended from online booking for no-shows; the reception lifts a suspension with a
    reason (kept with who and when: the recent lifts are listed below)."""
    status = 200
    failed: SuspensionLiftForm | None = None
    if request.method == "POST":
        form = SuspensionLiftForm(request.POST)
        if form.is_valid():
            citizen = User.objects.filter(pk=form.cleaned_data["cidadao"], kind=UserKind.CITIZEN).first()
            if citizen is None:
                raise Http404
            try:
                services.suspension_lift(
                    citizen=citizen, actor=account(request.user), reason=form.cleaned_data["motivo"]
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Suspensão retirada: %(name)s pode agendar de novo.") % {"name": citizen.full_name},
                )
                return redirect("health:suspensions")
        failed, status = form, 400
    items = []
    for item in suspensions_current():
        form = (
            failed
            if failed is not None and str(failed.data.get("cidadao")) == str(item.citizen.pk)
            else SuspensionLiftForm(initial={"cidadao": item.citizen.pk}, auto_id=f"id_%s_{item.citizen.pk}")
        )
        items.append({"suspension": item, "form": form})
    return render(
        request,
        "health/suspensions.html",
        {
            "title": _("Suspensões por faltas"),
            "items": items,
            "failed": failed if failed is not None and not any(i["form"] is failed for i in items) else None,
            "lifts": suspension_lifts_recent(),
        },
        status=status,
    )


def _slot_choices(user: Viewer, specialty: Specialty, patient: Patient | None) -> dict[str, Any]:
    """The free times of the specialty at the reception's own units, for this patient (their kind
    of visit, priority slots if they have priority), keyed "agenda|iso|kind"."""
    units = set(reception_units(user=user).values_list("pk", flat=True))
    found = {}
    for item in free_slots(specialty=specialty, patient=patient)[:400]:
        if item.schedule.unit_id in units:
            key = f"{item.schedule.agenda_id}|{item.starts_at.isoformat()}|{item.kind}"
            found[key] = item
    return found


def _slot_label(item: Any) -> str:
    local = timezone.localtime(item.starts_at)
    label = f"{local:%d/%m %H:%M} · {item.schedule.professional.name} · {item.schedule.unit.name}"
    return label + (f" · {_('prioritário')}" if item.kind == KIND_PRIORITY else "")


@require_http_methods(["GET", "POST"])
@reception_required
def book_for(request: HttpRequest) -> HttpResponse:
    """The reception books on a citizen's behalf, identified by CPF and CNS (at its own units)."""
    status = 200
    search = BookForPatientForm(request.GET or None)
    choice_form = None
    patient = None
    if request.method == "POST":
        search = BookForPatientForm(
            {
                "cpf": request.POST.get("cpf"),
                "cns": request.POST.get("cns"),
                "especialidade": request.POST.get("especialidade"),
            }
        )
    if search.is_bound and search.is_valid():
        patient = services.patient_by_documents(
            cpf=search.cleaned_data["cpf"], cns=search.cleaned_data["cns"]
        )
        if patient is None:
            search.add_error(
                "cns", _("CPF e CNS não correspondem a um paciente cadastrado. Confira os dois números.")
            )
            status = 400
    elif search.is_bound:
        status = 400
    if patient is not None:
        specialty = search.cleaned_data["especialidade"]
        slots = _slot_choices(request.user, specialty, patient)
        choices = [(key, _slot_label(item)) for key, item in slots.items()]
        initial = {"cpf": patient.user.cpf, "cns": patient.cns, "especialidade": specialty.pk}
        if request.method == "POST":
            choice_form = BookChoiceForm(request.POST, choices=choices, initial=initial)
            if choice_form.is_valid():
                item = slots[choice_form.cleaned_data["horario"]]
                try:
                    appointment = services.health_appointment_book_for(
                        actor=account(request.user),
                        cpf=search.cleaned_data["cpf"],
                        cns=search.cleaned_data["cns"],
                        schedule=item.schedule,
                        starts_at=item.starts_at,
                        kind=item.kind,
                    )
                except ApplicationError as error:
                    choice_form.add_error("horario", error.message)
                else:
                    local = timezone.localtime(appointment.starts_at)
                    messages.success(
                        request,
                        _("Consulta marcada para %(name)s em %(when)s.")
                        % {"name": patient.user.full_name, "when": local.strftime("%d/%m/%Y %H:%M")},
                    )
                    return redirect(f"{reverse('health:reception')}?dia={local.date().isoformat()}")
            status = 400
        else:
            choice_form = BookChoiceForm(choices=choices, initial=initial)
    return render(
        request,
        "health/book_for.html",
        {
            "title": _("Agendar para um cidadão"),
            "search": search,
            "choice_form": choice_form,
            "patient": patient,
        },
        status=status,
    )


# --- professional -----------------------------------------------------------------------------


@require_GET
@professional_required
def day_agenda(request: HttpRequest) -> HttpResponse:
    professional = _professional(request)
    day = _day(request.GET.get("dia"))
    return render(
        request,
        "health/day.html",
        {
            "title": _("Minha agenda do dia"),
            "professional": professional,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "appointments": professional_day(professional=professional, day=day),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@professional_required
def attend(request: HttpRequest, health_appointment_code: str) -> HttpResponse:
    professional = _professional(request)
    appointment = _staff_appointment(health_appointment_code)
    if appointment.resource_id != professional.resource_id:
        raise Http404
    form = AttendanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("acao") == "iniciar":
                services.attendance_start(appointment=appointment, actor=account(request.user))
                messages.success(request, _("Atendimento iniciado."))
            else:
                services.attendance_finish(
                    appointment=appointment, actor=account(request.user), notes=form.cleaned_data["anotacoes"]
                )
                messages.success(request, _("Atendimento registrado."))
                return redirect(
                    f"{reverse('health:day')}?dia={timezone.localtime(appointment.starts_at).date()}"
                )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            _form_error(form, error)
        else:
            return redirect("health:attend", health_appointment_code=appointment.code)
    return render(
        request,
        "health/attend.html",
        {
            "title": _("Atendimento"),
            "appointment": appointment,
            "patient": patient_of(user=appointment.citizen),
            "local": timezone.localtime(appointment.starts_at),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@professional_required
def patient_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's history, only through `services.record_open` (checked and logged)."""
    professional = _professional(request)
    patient = patient_get(patient_id=patient_id)
    if patient is None:
        raise Http404
    form = EmergencyForm(request.POST if request.method == "POST" else None)
    access = None
    error_message = ""
    reason = form.cleaned_data["motivo"] if request.method == "POST" and form.is_valid() else ""
    if request.method == "GET" or reason:
        try:
            access = services.record_open(professional=professional, patient=patient, reason=reason)
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            error_message = error.message
            if request.method == "POST":
                _form_error(form, error)
    if access is None:
        return render(
            request,
            "health/patient_locked.html",
            {
                "title": _("Histórico do paciente"),
                "patient": patient,
                "form": form,
                "error_message": error_message,
            },
            status=403 if request.method == "GET" else 400,
        )
    return render(
        request,
        "health/patient.html",
        {
            "title": _("Histórico do paciente"),
            "patient": patient,
            "access": access,
            "history": patient_history(patient=patient),
            "now": timezone.now(),
        },
    )


# --- managers and the secretariat's admin -----------------------------------------------------


@require_GET
@manager_required
def figures(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first = (
        _day(request.GET.get("de")) if request.GET.get("de") else today - dt.timedelta(days=today.weekday())
    )
    last = _day(request.GET.get("ate")) if request.GET.get("ate") else first + dt.timedelta(days=13)
    if last < first or (last - first).days > 92:
        last = first + dt.timedelta(days=13)
    return render(
        request,
        "health/figures.html",
        {
            "title": _("Indicadores da saúde"),
            "rows": manager_figures(first_day=first, last_day=last),
            "first": first,
            "last": last,
        },
    )


FORMS = {
    "regras": SettingsForm,
    "especialidade": SpecialtyForm,
    "unidade": UnitForm,
    "profissional": ProfessionalForm,
    "agenda": ScheduleForm,
}


def _admin_forms(bound: str = "", data: Any = None) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    for name, form_class in FORMS.items():
        kwargs: dict[str, Any] = {"prefix": name}
        if name == "regras":
            kwargs["instance"] = health_settings()
        forms[name] = form_class(data if bound == name else None, **kwargs)
    return forms


def _admin_save(name: str, form: Any) -> None:
    data = form.cleaned_data
    if name == "regras":
        services.health_settings_save(**data)
    elif name == "especialidade":
        services.specialty_save(name=data["nome"])
    elif name == "unidade":
        services.health_unit_save(
            name=data["nome"],
            cnes=data["cnes"],
            org_unit=data["setor"],
            kind=data["tipo"],
            address=data["endereco"],
        )
    elif name == "profissional":
        services.professional_save(
            user=data["servidor"],
            cns=data["cns"],
            cbo=data["cbo"],
            council=data["conselho"],
            specialties=list(data["especialidades"]),
        )
    elif name == "agenda":
        services.schedule_create(
            professional=data["profissional"],
            unit=data["unidade"],
            specialty=data["especialidade"],
            slot_minutes=data["duracao"],
        )


@require_http_methods(["GET", "POST"])
@admin_required
def admin_home(request: HttpRequest) -> HttpResponse:
    bound = request.POST.get("formulario", "") if request.method == "POST" else ""
    forms = _admin_forms(bound, request.POST if bound else None)
    if bound in forms:
        form = forms[bound]
        if form.is_valid():
            try:
                _admin_save(bound, form)
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Salvo."))
                return redirect("health:admin")
    elif request.method == "POST":
        messages.error(request, _("Escolha o formulário a salvar."))
    return render(
        request,
        "health/admin.html",
        {
            "title": _("Saúde — unidades, profissionais e agendas"),
            "forms": forms,
            "units": services.HealthUnit.objects.order_by("name"),
            "schedules": Schedule.objects.select_related("professional", "unit", "specialty").order_by(
                "unit__name", "specialty__name", "professional__name"
            ),
            "professionals": services.Professional.objects.prefetch_related("specialties").order_by("name"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def admin_schedule(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = (
        Schedule.objects.select_related("professional__resource", "unit", "specialty", "agenda")
        .filter(pk=schedule_id)
        .first()
    )
    if schedule is None:
        raise Http404
    which = request.POST.get("formulario", "") if request.method == "POST" else ""
    window_form = WindowForm(request.POST if which == "janela" else None, prefix="janela")
    block_form = BlockForm(request.POST if which == "bloqueio" else None, prefix="bloqueio")
    if which == "janela" and window_form.is_valid():
        data = window_form.cleaned_data
        try:
            services.schedule_window_add(
                schedule=schedule,
                weekdays=data["dias"],
                start_time=data["inicio"],
                end_time=data["fim"],
                kind=data["tipo"],
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            _form_error(window_form, error)
        else:
            messages.success(request, _("Horário semanal incluído."))
            return redirect("health:admin_schedule", schedule_id=schedule.pk)
    if which == "bloqueio" and block_form.is_valid():
        try:
            services.schedule_day_block(
                schedule=schedule,
                day=block_form.cleaned_data["dia"],
                reason=block_form.cleaned_data["motivo"],
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            _form_error(block_form, error)
        else:
            messages.success(request, _("Dia bloqueado."))
            return redirect("health:admin_schedule", schedule_id=schedule.pk)
    return render(
        request,
        "health/admin_schedule.html",
        {
            "title": str(schedule),
            "schedule": schedule,
            "rules": schedule.agenda.rules.select_related("slot_kind").order_by("weekday", "start_time"),
            "blocks": schedule.professional.resource.exceptions.filter(ends_at__gte=timezone.now()).order_by(
                "starts_at"
            ),
            "window_form": window_form,
            "block_form": block_form,
        },
        status=400 if request.method == "POST" else 200,
    )
