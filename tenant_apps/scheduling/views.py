"""Pages: the citizen's `/agendamento/`, the staff agenda and room, the admin's configuration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import citizen_required, municipal_admin_required, staff_required
from paco.errors import PASS_THROUGH, AccessDenied, ApplicationError, NotFound
from tenant_apps.accounts.types import account
from tenant_apps.cases.selectors import case_documents, case_list_for_citizen
from tenant_apps.cases.services import nup_digits
from tenant_apps.documents.uploads import Upload

from . import services
from .enums import AppointmentStatus, Weekday
from .forms import (
    AgendaForm,
    BookForm,
    CancelForm,
    ExceptionForm,
    FinishForm,
    RuleForm,
    SlotFilterForm,
    UploadForm,
)
from .ics import agenda_feed_ics, appointment_ics
from .jitsi import jitsi_csp_sources
from .models import Agenda, AvailabilityException, AvailabilityRule, Resource
from .selectors import (
    agenda_get_public,
    agenda_list_admin,
    agenda_list_for_manager,
    agenda_list_public,
    appointment_get_for_citizen,
    appointment_get_for_staff,
    appointment_page_for_citizen,
    calendar_feed_active,
    calendar_feed_owner,
    manager_figures,
    staff_agenda,
)
from .slots import Slot, agenda_zone, booking_window, first_free_slot, slot_list_free

WEEK = dt.timedelta(days=7)


def _form_error(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _parse_day(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return default


def _days_of(slots: list[Slot], agenda: Agenda, *, group_by_time: bool) -> list[dict[str, Any]]:
    """Slots per local day; with "any attendant", one entry per time (however many attend then)."""
    zone = agenda_zone(agenda)
    days: dict[dt.date, dict[str, Any]] = {}
    for slot in slots:
        local = timezone.localtime(slot.starts_at, zone)
        day = days.setdefault(
            local.date(), {"date": local.date(), "weekday": Weekday(local.weekday()).label, "times": {}}
        )
        key = local.strftime("%H:%M") if group_by_time else (local.strftime("%H:%M"), slot.resource_id)
        day["times"].setdefault(
            key,
            {
                "label": local.strftime("%H:%M"),
                "iso": slot.starts_at.isoformat(),
                "resource_id": None if group_by_time else slot.resource_id,
            },
        )
    return [{**day, "times": list(day["times"].values())} for day in days.values()]


def _slot_page_context(request: HttpRequest, agenda: Agenda, *, params: Any) -> dict[str, Any]:
    form = SlotFilterForm(params or None, agenda=agenda)
    zone = agenda_zone(agenda)
    today = timezone.localdate(timezone=zone)
    first = max(_parse_day(params.get("semana"), today), today)
    days: list[dict[str, Any]] = []
    chosen = False
    if form.is_bound and form.is_valid():
        chosen = True
        resource = form.cleaned_data.get("atendente")
        slots = slot_list_free(
            agenda=agenda,
            first_day=first,
            last_day=first + dt.timedelta(days=13),
            resource_ids=[resource.pk] if resource else None,
        )
        days = _days_of(slots, agenda, group_by_time=resource is None)
    _earliest, last_day = booking_window(agenda, now=timezone.now())
    query = params.copy()
    query.pop("semana", None)
    return {
        "agenda": agenda,
        "form": form,
        "chosen": chosen,
        "days": days,
        "first": first,
        "last": first + dt.timedelta(days=13),
        "previous_week": first - 2 * WEEK if first > today else None,
        "next_week": first + 2 * WEEK if first + 2 * WEEK <= last_day else None,
        "query": query.urlencode(),
    }


# --- citizen ----------------------------------------------------------------------------------


@require_GET
def citizen_home(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor", "")[:200]
    page = appointment_page_for_citizen(user=request.user, cursor=cursor)
    return render(
        request,
        "scheduling/citizen_home.html",
        {
            "title": _("Agendamento"),
            "agendas": agenda_list_public(),
            "appointments": page.results,
            "next_cursor": page.next,
            "is_later_page": bool(cursor),
        },
    )


@require_GET
def citizen_slots(request: HttpRequest, agenda_code: str) -> HttpResponse:
    agenda = agenda_get_public(code=agenda_code)
    context = _slot_page_context(request, agenda, params=request.GET)
    return render(request, "scheduling/citizen_slots.html", {"title": agenda.name, **context})


def _choice_from_query(agenda: Agenda, params: Any) -> dict[str, Any]:
    starts_at = parse_datetime(params.get("inicio") or "")
    if starts_at is None or timezone.is_naive(starts_at):
        raise ApplicationError(_("Escolha um dos horários livres."))
    subject = (
        agenda.subjects.filter(pk=params.get("assunto") or 0, is_active=True).first()
        if str(params.get("assunto") or "").isdigit()
        else None
    )
    resource = None
    if str(params.get("atendente") or "").isdigit():
        resource = Resource.objects.filter(pk=params["atendente"], agendas=agenda, is_active=True).first()
        if resource is None:
            raise ApplicationError(_("Este atendente não atende este serviço."))
    return {"starts_at": starts_at, "subject": subject, "resource": resource}


@require_http_methods(["GET", "POST"])
@citizen_required
def citizen_confirm(request: HttpRequest, agenda_code: str) -> HttpResponse:
    agenda = agenda_get_public(code=agenda_code)
    form = BookForm(request.POST if request.method == "POST" else None)
    error_message = ""
    try:
        choice: dict[str, Any] | None = _choice_from_query(agenda, request.GET)
    except ApplicationError as error:
        choice = None
        error_message = error.message
    if request.method == "POST" and choice is not None and form.is_valid():
        try:
            appointment = services.appointment_book(
                agenda=agenda, citizen=account(request.user), notes=form.cleaned_data["observacoes"], **choice
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(
                request, _("Agendamento confirmado. Enviamos os detalhes e o convite para o seu e-mail.")
            )
            return redirect("scheduling:citizen_appointment", appointment_code=appointment.code)
    status = 400 if error_message or (request.method == "POST") else 200
    local = timezone.localtime(choice["starts_at"], agenda_zone(agenda)) if choice else None
    return render(
        request,
        "scheduling/citizen_confirm.html",
        {
            "title": _("Confirmar agendamento"),
            "agenda": agenda,
            "choice": choice,
            "local": local,
            "form": form,
            "error_message": error_message,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


def _citizen_appointment_context(request: HttpRequest, appointment: Any, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "title": _("Seu agendamento"),
        "appointment": appointment,
        "local": timezone.localtime(appointment.starts_at, agenda_zone(appointment.agenda)),
        "can_change": appointment.status == AppointmentStatus.BOOKED
        and now <= services.cancel_deadline(appointment=appointment),
        "cancel_until": timezone.localtime(
            services.cancel_deadline(appointment=appointment), agenda_zone(appointment.agenda)
        ),
        "cancel_form": extra.pop("cancel_form", CancelForm()),
        "upload_form": extra.pop("upload_form", UploadForm()),
        "nup_digits": nup_digits(nup=appointment.case.nup) if appointment.case_id else "",
        **extra,
    }


@require_GET
@citizen_required
def citizen_appointment(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
    return render(
        request, "scheduling/citizen_appointment.html", _citizen_appointment_context(request, appointment)
    )


@require_POST
@citizen_required
def citizen_cancel(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment, actor=account(request.user), reason=form.cleaned_data["motivo"]
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Agendamento cancelado. O horário ficou livre para outra pessoa."))
            return redirect("scheduling:citizen_appointment", appointment_code=appointment.code)
    return render(
        request,
        "scheduling/citizen_appointment.html",
        _citizen_appointment_context(request, appointment, cancel_form=form),
        status=400,
    )


@require_http_methods(["GET", "POST"])
@citizen_required
def citizen_reschedule(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
    agenda = appointment.agenda
    error_message = ""
    if request.method == "POST":
        try:
            choice = _choice_from_query(agenda, request.POST)
            new = services.appointment_reschedule(
                appointment=appointment,
                actor=account(request.user),
                starts_at=choice["starts_at"],
                resource=choice["resource"],
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(request, _("Agendamento remarcado. Enviamos o novo convite para o seu e-mail."))
            return redirect("scheduling:citizen_appointment", appointment_code=new.code)
    params = request.GET.copy()
    if appointment.subject_id:
        params.setdefault("assunto", str(appointment.subject_id))
    context = _slot_page_context(request, agenda, params=params)
    return render(
        request,
        "scheduling/citizen_reschedule.html",
        {"title": _("Remarcar"), "appointment": appointment, "error_message": error_message, **context},
        status=400 if error_message else 200,
    )


@require_GET
@citizen_required
def citizen_ics(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
    response = HttpResponse(
        appointment_ics(appointment, url=services.appointment_url(appointment=appointment)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="agendamento.ics"'
    return response


def _room_response(
    request: HttpRequest, appointment: Any, template: str, extra: dict[str, Any]
) -> HttpResponse:
    try:
        access = services.video_room_access(appointment=appointment, user=account(request.user))
    except PermissionDenied as error:
        raise Http404 from error
    response = render(
        request,
        template,
        {"title": _("Sala de atendimento"), "appointment": appointment, "access": access, **extra},
    )
    response["Cache-Control"] = "no-store"
    # Issue 10's Content-Security-Policy: this page alone may load the Jitsi IFrame API and frame.
    response._csp_update = jitsi_csp_sources()  # type: ignore[attr-defined]  # read by django-csp
    return response


@require_GET
@citizen_required
@never_cache
def citizen_room(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
    return _room_response(request, appointment, "scheduling/citizen_room.html", {"upload_form": UploadForm()})


def _uploads(request: HttpRequest) -> list[Upload]:
    return [
        Upload(name=upload.name or "arquivo", file=upload, label=_("Documento do atendimento"))
        for upload in request.FILES.getlist("arquivo")
    ]


@require_POST
@citizen_required
def citizen_upload(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.appointment_document_attach(
                appointment=appointment, actor=account(request.user), uploads=_uploads(request)
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Documento enviado. O atendente já pode vê-lo no protocolo."))
            return redirect(
                request.POST.get("voltar") == "sala"
                and "scheduling:citizen_room"
                or "scheduling:citizen_appointment",
                appointment_code=appointment.code,
            )
    return render(
        request,
        "scheduling/citizen_appointment.html",
        _citizen_appointment_context(request, appointment, upload_form=form),
        status=400,
    )


# --- staff ------------------------------------------------------------------------------------


@require_GET
@staff_required
def staff_agenda_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    day = _parse_day(request.GET.get("dia"), today)
    view = "semana" if request.GET.get("vista") == "semana" else "dia"
    mine_only = request.GET.get("equipe") != "1"
    first = day - dt.timedelta(days=day.weekday()) if view == "semana" else day
    last = first + dt.timedelta(days=6) if view == "semana" else day
    appointments = list(
        staff_agenda(user=account(request.user), first_day=first, last_day=last, mine_only=mine_only)
    )
    days: dict[dt.date, list[Any]] = {
        first + dt.timedelta(days=offset): [] for offset in range((last - first).days + 1)
    }
    for appointment in appointments:
        days.setdefault(timezone.localtime(appointment.starts_at).date(), []).append(appointment)
    step = WEEK if view == "semana" else dt.timedelta(days=1)
    return render(
        request,
        "scheduling/staff_agenda.html",
        {
            "title": _("Minha agenda") if mine_only else _("Agenda da unidade"),
            "view": view,
            "day": day,
            "first": first,
            "last": last,
            "days": [
                {"date": key, "weekday": Weekday(key.weekday()).label, "items": items}
                for key, items in days.items()
            ],
            "previous": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "mine_only": mine_only,
            "count": len(appointments),
            "is_manager": agenda_list_for_manager(user=request.user).exists(),
        },
    )


def _staff_appointment_context(request: HttpRequest, appointment: Any, **extra: Any) -> dict[str, Any]:
    citizen_cases = case_list_for_citizen(user=appointment.citizen)[:20]
    return {
        "title": _("Agendamento de %(name)s") % {"name": appointment.citizen.full_name},
        "appointment": appointment,
        "local": timezone.localtime(appointment.starts_at, agenda_zone(appointment.agenda)),
        "citizen_cases": citizen_cases,
        "documents": case_documents(case=appointment.case, for_requester=False)
        if appointment.case_id
        else [],
        "nup_digits": nup_digits(nup=appointment.case.nup) if appointment.case_id else "",
        "finish_form": extra.pop("finish_form", FinishForm()),
        "upload_form": extra.pop("upload_form", UploadForm()),
        "cancel_form": extra.pop("cancel_form", CancelForm()),
        "is_past_start": timezone.now() >= appointment.starts_at,
        **extra,
    }


@require_GET
@staff_required
def staff_appointment(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_staff(user=request.user, code=appointment_code)
    return render(
        request, "scheduling/staff_appointment.html", _staff_appointment_context(request, appointment)
    )


@require_GET
@staff_required
@never_cache
def staff_room(request: HttpRequest, appointment_code: str) -> HttpResponse:
    appointment = appointment_get_for_staff(user=request.user, code=appointment_code)
    return _room_response(
        request, appointment, "scheduling/staff_room.html", _staff_appointment_context(request, appointment)
    )


STAFF_ACTIONS = {"iniciar", "encerrar", "falta", "cancelar", "anexar"}


@require_POST
@staff_required
def staff_appointment_action(
    request: HttpRequest, appointment_code: str, appointment_action: str
) -> HttpResponse:
    appointment = appointment_get_for_staff(user=request.user, code=appointment_code)
    if appointment_action not in STAFF_ACTIONS:
        raise Http404
    forms: dict[str, Any] = {}
    try:
        if appointment_action == "iniciar":
            services.appointment_start(appointment=appointment, actor=account(request.user))
            messages.success(request, _("Atendimento iniciado."))
            if appointment.agenda.is_video:
                return redirect("scheduling:staff_room", appointment_code=appointment.code)
        elif appointment_action == "encerrar":
            finish = forms["finish_form"] = FinishForm(request.POST)
            if not finish.is_valid():
                raise ApplicationError(_("Confira os campos destacados."))
            services.appointment_finish(
                appointment=appointment,
                actor=account(request.user),
                outcome=finish.cleaned_data["resultado"],
                notes=finish.cleaned_data["anotacoes"],
            )
            messages.success(request, _("Atendimento registrado no protocolo."))
        elif appointment_action == "falta":
            services.appointment_mark_no_show(appointment=appointment, actor=account(request.user))
            messages.success(request, _("Falta registrada."))
        elif appointment_action == "cancelar":
            form = forms["cancel_form"] = CancelForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Confira os campos destacados."))
            services.appointment_cancel(
                appointment=appointment, actor=account(request.user), reason=form.cleaned_data["motivo"]
            )
            messages.success(request, _("Agendamento cancelado; o cidadão foi avisado."))
        else:
            upload = forms["upload_form"] = UploadForm(request.POST, request.FILES)
            if not upload.is_valid():
                raise ApplicationError(_("Escolha o arquivo."))
            services.appointment_document_attach(
                appointment=appointment, actor=account(request.user), uploads=_uploads(request)
            )
            messages.success(request, _("Documento juntado ao protocolo."))
    except AccessDenied as error:
        raise Http404 from error
    except NotFound:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        appointment = appointment_get_for_staff(user=request.user, code=appointment_code)
        return render(
            request,
            "scheduling/staff_appointment.html",
            _staff_appointment_context(request, appointment, **forms),
            status=400,
        )
    return redirect("scheduling:staff_appointment", appointment_code=appointment.code)


@require_http_methods(["GET", "POST"])
@staff_required
def staff_feed(request: HttpRequest) -> HttpResponse:
    new_url = ""
    if request.method == "POST":
        if request.POST.get("acao") == "revogar":
            services.calendar_feed_revoke(user=account(request.user))
            messages.success(
                request, _("Endereço revogado: os calendários que o usavam param de receber a agenda.")
            )
            return redirect("scheduling:staff_feed")
        if request.POST.get("acao") != "criar":
            messages.error(request, _("Escolha criar um novo endereço ou revogar o atual."))
            return render(
                request,
                "scheduling/staff_feed.html",
                {
                    "title": _("Agenda no seu calendário"),
                    "feed": calendar_feed_active(user=account(request.user)),
                },
                status=400,
            )
        _feed, token = services.calendar_feed_create(user=account(request.user))
        new_url = request.build_absolute_uri(reverse("scheduling:feed", kwargs={"feed_token": token}))
    response = render(
        request,
        "scheduling/staff_feed.html",
        {
            "title": _("Agenda no seu calendário"),
            "feed": calendar_feed_active(user=account(request.user)),
            "new_url": new_url,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """The private ICS feed: whoever has the URL reads that person's agenda; revoked means 404."""
    owner = calendar_feed_owner(token_hash=services.feed_token_hash(token=feed_token))
    if owner is None:
        raise Http404
    today = timezone.localdate()
    appointments = list(
        staff_agenda(
            user=owner.user, first_day=today - dt.timedelta(days=30), last_day=today + dt.timedelta(days=90)
        )
    )
    body = agenda_feed_ics(
        appointments,
        name=_("Agenda de atendimentos — %(name)s") % {"name": owner.user.full_name},
        url_for={
            appointment.pk: services.staff_appointment_url(appointment=appointment)
            for appointment in appointments
        },
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def staff_figures(request: HttpRequest) -> HttpResponse:
    agendas = agenda_list_for_manager(user=request.user)
    if not agendas.exists():
        raise Http404
    today = timezone.localdate()
    first = _parse_day(request.GET.get("de"), today - dt.timedelta(days=30))
    last = _parse_day(request.GET.get("ate"), today + dt.timedelta(days=30))
    if last < first:
        first, last = last, first
    waiting = []
    now = timezone.now()
    for agenda in agendas.filter(is_active=True):
        slot = first_free_slot(agenda=agenda, now=now)
        waiting.append(
            {
                "agenda": agenda,
                "slot": timezone.localtime(slot.starts_at, agenda_zone(agenda)) if slot else None,
                "days": (timezone.localtime(slot.starts_at, agenda_zone(agenda)).date() - today).days
                if slot
                else None,
            }
        )
    return render(
        request,
        "scheduling/staff_figures.html",
        {
            "title": _("Indicadores do agendamento"),
            "rows": manager_figures(agendas=agendas, first_day=first, last_day=last),
            "waiting": waiting,
            "first": first,
            "last": last,
        },
    )


# --- municipal admin --------------------------------------------------------------------------


def _agenda_or_404(agenda_id: int) -> Agenda:
    agenda = agenda_list_admin().filter(pk=agenda_id).first()
    if agenda is None:
        raise Http404
    return agenda


@require_GET
@municipal_admin_required
def admin_agenda_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scheduling/admin_agenda_list.html",
        {"title": _("Agendamento"), "agendas": agenda_list_admin()},
    )


def _agenda_edit(request: HttpRequest, agenda: Agenda | None) -> HttpResponse:
    form = AgendaForm(request.POST if request.method == "POST" else None, instance=agenda)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in AgendaForm.Meta.fields}
            try:
                saved = services.agenda_save(
                    agenda=agenda,
                    subjects=form.cleaned_data["assuntos"].splitlines(),
                    resource_user_ids=[user.pk for user in form.cleaned_data["atendentes"]],
                    **values,
                )
            except PASS_THROUGH:
                raise
            except ApplicationError as error:
                field = {"subjects": "assuntos", "attendants": "atendentes"}.get(
                    error.extra.get("field", ""), error.extra.get("field")
                )
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Serviço de agendamento salvo."))
                return redirect("scheduling:admin_agenda_edit", agenda_id=saved.pk)
    resources = Resource.objects.filter(agendas=agenda).order_by("name") if agenda else []
    return render(
        request,
        "scheduling/admin_agenda_form.html",
        {
            "title": agenda.name if agenda else _("Novo serviço de agendamento"),
            "agenda": agenda,
            "form": form,
            "resources": resources,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def admin_agenda_create(request: HttpRequest) -> HttpResponse:
    return _agenda_edit(request, None)


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def admin_agenda_edit(request: HttpRequest, agenda_id: int) -> HttpResponse:
    return _agenda_edit(request, _agenda_or_404(agenda_id))


def _resource_or_404(agenda: Agenda, resource_id: int) -> Resource:
    resource = Resource.objects.filter(pk=resource_id, agendas=agenda).first()
    if resource is None:
        raise Http404
    return resource


def _resource_page(
    request: HttpRequest,
    agenda: Agenda,
    resource: Resource,
    *,
    rule_form: Any = None,
    exception_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    zone = agenda_zone(agenda)
    now = timezone.now()
    return render(
        request,
        "scheduling/admin_resource.html",
        {
            "title": resource.name,
            "agenda": agenda,
            "resource": resource,
            "rules": AvailabilityRule.objects.filter(resource=resource)
            .select_related("agenda")
            .order_by("weekday", "start_time"),
            "exceptions": AvailabilityException.objects.filter(resource=resource, ends_at__gte=now).order_by(
                "starts_at"
            ),
            "rule_form": rule_form or RuleForm(),
            "exception_form": exception_form or ExceptionForm(),
            "zone": zone,
        },
        status=status,
    )


@require_GET
@municipal_admin_required
def admin_resource(request: HttpRequest, agenda_id: int, resource_id: int) -> HttpResponse:
    agenda = _agenda_or_404(agenda_id)
    return _resource_page(request, agenda, _resource_or_404(agenda, resource_id))


@require_POST
@municipal_admin_required
def admin_rule_add(request: HttpRequest, agenda_id: int, resource_id: int) -> HttpResponse:
    agenda = _agenda_or_404(agenda_id)
    resource = _resource_or_404(agenda, resource_id)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.availability_rule_add(
                agenda=agenda,
                resource=resource,
                weekdays=form.cleaned_data["dias"],
                start_time=form.cleaned_data["inicio"],
                end_time=form.cleaned_data["fim"],
                valid_from=form.cleaned_data["valido_de"],
                valid_until=form.cleaned_data["valido_ate"],
                capacity=form.cleaned_data["vagas"],
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            field = {
                "weekdays": "dias",
                "start_time": "inicio",
                "end_time": "fim",
                "valid_until": "valido_ate",
            }.get(error.extra.get("field", ""))
            form.add_error(field, error.message)
        else:
            messages.success(request, _("Horário adicionado."))
            return redirect("scheduling:admin_resource", agenda_id=agenda.pk, resource_id=resource.pk)
    return _resource_page(request, agenda, resource, rule_form=form, status=400)


@require_POST
@municipal_admin_required
def admin_rule_remove(request: HttpRequest, agenda_id: int, resource_id: int, rule_id: int) -> HttpResponse:
    agenda = _agenda_or_404(agenda_id)
    resource = _resource_or_404(agenda, resource_id)
    rule = AvailabilityRule.objects.filter(pk=rule_id, resource=resource).first()
    if rule is None:
        raise Http404
    services.availability_rule_remove(rule=rule)
    messages.success(request, _("Horário removido. Os agendamentos já feitos continuam valendo."))
    return redirect("scheduling:admin_resource", agenda_id=agenda.pk, resource_id=resource.pk)


@require_POST
@municipal_admin_required
def admin_exception_add(request: HttpRequest, agenda_id: int, resource_id: int) -> HttpResponse:
    agenda = _agenda_or_404(agenda_id)
    resource = _resource_or_404(agenda, resource_id)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        zone = agenda_zone(agenda)
        try:
            services.availability_exception_add(
                resource=resource,
                starts_at=form.cleaned_data["de"].replace(tzinfo=None).replace(tzinfo=zone),
                ends_at=form.cleaned_data["ate"].replace(tzinfo=None).replace(tzinfo=zone),
                reason=form.cleaned_data["motivo"],
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            field = {"ends_at": "ate", "reason": "motivo"}.get(error.extra.get("field", ""))
            form.add_error(field, error.message)
        else:
            messages.success(request, _("Ausência registrada: esses horários saem da agenda."))
            return redirect("scheduling:admin_resource", agenda_id=agenda.pk, resource_id=resource.pk)
    return _resource_page(request, agenda, resource, exception_form=form, status=400)


@require_POST
@municipal_admin_required
def admin_exception_remove(
    request: HttpRequest, agenda_id: int, resource_id: int, exception_id: int
) -> HttpResponse:
    agenda = _agenda_or_404(agenda_id)
    resource = _resource_or_404(agenda, resource_id)
    exception = AvailabilityException.objects.filter(pk=exception_id, resource=resource).first()
    if exception is None:
        raise Http404
    services.availability_exception_remove(exception=exception)
    messages.success(request, _("Ausência removida."))
    return redirect("scheduling:admin_resource", agenda_id=agenda.pk, resource_id=resource.pk)
