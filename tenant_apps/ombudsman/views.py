"""Citizen and staff pages of the Ouvidoria (manifestations and LAI requests)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.client_ip import client_ip
from paco.decorators import staff_required
from paco.errors import PASS_THROUGH, ApplicationError
from paco.schemas import current_tenant
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import Viewer, account
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.selectors import case_events_visible, case_pending_information_request, nup_from_digits
from tenant_apps.cases.services import nup_digits
from tenant_apps.documents.uploads import uploads_from_files
from tenant_apps.govbr.selectors import reliability_problem, reliability_required
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import membership_list_current

from . import deadlines, selectors, services
from .forms import (
    AppealDecisionForm,
    CloseForm,
    FollowForm,
    ManifestationForm,
    RatingForm,
    ReasonForm,
    ReportPeriodForm,
    SettingsForm,
    TextForm,
    UnitInputForm,
)
from .models import Manifestation

FILING_LIMIT = 5
FILING_WINDOW_SECONDS = 3600
FOLLOW_MISS_LIMIT = 20  # wrong codes per address per hour (a code has 64 random bits)
CODE_SESSION_KEY = "ombudsman_new_code"
UNLOCKED_SESSION_KEY = "ombudsman_unlocked"


def _auto_id(prefix: str) -> str:
    """Unique element ids per form: one page holds several forms with the same fields."""
    return f"id_{prefix.replace('-', '_')}_%s"


def _blocked(request: HttpRequest, *, bucket: str, limit: int) -> bool:
    key = f"ombudsman:{bucket}:{current_tenant().schema_name}:{client_ip(request)}"
    return int(cache.get(key, 0)) >= limit


def _rate_limited(request: HttpRequest, *, bucket: str = "filing", limit: int = FILING_LIMIT) -> bool:
    """At most `limit` attempts per address per hour, per municipality (the cache key has the schema)."""
    key = f"ombudsman:{bucket}:{current_tenant().schema_name}:{client_ip(request)}"
    cache.add(key, 0, FILING_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, FILING_WINDOW_SECONDS)
        count = 1
    return count > limit


def _file_from_form(
    form: ManifestationForm, *, citizen: User | None = None, registered_by: User | None = None
) -> tuple[Manifestation, str] | None:
    data = form.cleaned_data
    try:
        return services.manifestation_file(
            kind=data["kind"],
            identity_mode=data["identity_mode"],
            subject=data.get("subject", ""),
            description=data["description"],
            filer_name=data.get("filer_name", ""),
            filer_cpf=data.get("filer_cpf", ""),
            filer_email=data.get("filer_email", ""),
            filer_phone=data.get("filer_phone", ""),
            citizen=citizen,
            registered_by=registered_by,
        )
    except PASS_THROUGH:
        raise
    except ApplicationError as error:
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)
        return None


# --- citizen --------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ombudsman/home.html", {"title": _("Ouvidoria")})


@require_http_methods(["GET", "POST"])
def file(request: HttpRequest) -> HttpResponse:
    user = request.user
    citizen = user if isinstance(user, User) and user.kind == UserKind.CITIZEN else None
    status = 200
    if request.method == "POST":
        form = ManifestationForm(request.POST)
        if _rate_limited(request):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Muitas manifestações enviadas deste endereço. "
                    "Aguarde uma hora ou ligue para a ouvidoria."
                ),
            )
            status = 429
        elif form.is_valid() and (problem := _reliability_problem(citizen, form.cleaned_data["kind"])):
            form.add_error("kind", problem)
            status = 403
        elif form.is_valid():
            result = _file_from_form(form, citizen=citizen)
            if result is not None:
                manifestation, code = result
                request.session[CODE_SESSION_KEY] = {"id": manifestation.pk, "code": code}
                return redirect("ombudsman:filed")
            status = 400
        else:
            status = 400
    else:
        form = ManifestationForm()
    return render(
        request,
        "ombudsman/file.html",
        {"title": _("Registrar manifestação"), "form": form, "citizen": citizen},
        status=status,
    )


def _reliability_problem(citizen: User | None, kind: str) -> str:
    """A kind the city set a minimum gov.br level for needs a signed-in citizen at that level."""
    if not reliability_required(target="ouvidoria", code=kind):
        return ""
    if citizen is None:
        return _(
            "Este tipo de manifestação exige entrar com uma conta gov.br de nível %(level)s ou superior."
        ) % {"level": reliability_required(target="ouvidoria", code=kind)}
    return reliability_problem(user=citizen, target="ouvidoria", code=kind)


@require_GET
def filed(request: HttpRequest) -> HttpResponse:
    """Shows the follow-up code once: it is taken out of the session and never stored in clear."""
    data = request.session.pop(CODE_SESSION_KEY, None)
    if not data:
        return redirect("ombudsman:home")
    manifestation = selectors.manifestation_get_by_id(manifestation_id=data["id"])
    unlocked = set(request.session.get(UNLOCKED_SESSION_KEY, []))
    request.session[UNLOCKED_SESSION_KEY] = sorted(unlocked | {manifestation.pk})
    response = render(
        request,
        "ombudsman/filed.html",
        {"title": _("Manifestação registrada"), "manifestation": manifestation, "code": data["code"]},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FollowForm(request.POST)
        if _blocked(request, bucket="follow-miss", limit=FOLLOW_MISS_LIMIT):
            form.is_valid()
            form.add_error(None, _("Muitas tentativas com código errado. Aguarde uma hora e tente de novo."))
            status = 429
        elif form.is_valid():
            digits = nup_digits(nup=form.cleaned_data["nup"])
            try:
                found = selectors.manifestation_get_by_code(
                    nup=nup_from_digits(digits), code=form.cleaned_data["code"]
                )
            except Http404:
                form.add_error(None, _("Protocolo ou código de acompanhamento não encontrado."))
                status = 404
                if _rate_limited(request, bucket="follow-miss", limit=FOLLOW_MISS_LIMIT):
                    status = 429
            else:
                unlocked = set(request.session.get(UNLOCKED_SESSION_KEY, []))
                request.session[UNLOCKED_SESSION_KEY] = sorted(unlocked | {found.pk})
                return redirect("ombudsman:follow_detail", manifestation_nup=digits)
        else:
            status = 400
    else:
        form = FollowForm()
    return render(
        request, "ombudsman/follow.html", {"title": _("Acompanhar manifestação"), "form": form}, status=status
    )


def _manifestation_for_filer(request: HttpRequest, manifestation_nup: str) -> Manifestation:
    """The filer reaches it with the code (unlocked in this session) or as the case's signed-in requester."""
    user = request.user
    allowed = Q(pk__in=request.session.get(UNLOCKED_SESSION_KEY, []))
    if user.is_authenticated and getattr(user, "kind", None) == UserKind.CITIZEN:
        allowed |= Q(case__citizen=user)
    found = Manifestation.objects.filter(allowed, case__nup=nup_from_digits(manifestation_nup)).first()
    if found is None:
        raise Http404
    return selectors.manifestation_get_by_id(manifestation_id=found.pk)


def _follow_context(request: HttpRequest, manifestation: Manifestation, **extra: Any) -> dict[str, Any]:
    case = manifestation.case
    rules = deadlines.settings_default()
    closed = case.status == CaseStatus.CLOSED and case.closed_at is not None
    reopen_until = (
        deadlines.reopen_until(rules, closed_on=timezone.localdate(case.closed_at)) if closed else None
    )
    return {
        "title": _("Manifestação %(nup)s") % {"nup": case.nup},
        "manifestation": manifestation,
        "case": case,
        "events": case_events_visible(case=case, user=None),
        "pending": case_pending_information_request(case=case),
        "accesses": selectors.identity_access_list(manifestation=manifestation)
        if manifestation.is_identity_protected
        else [],
        "is_closed": closed,
        "can_rate": closed and manifestation.rated_at is None,
        "can_reopen": closed and reopen_until is not None and timezone.localdate() <= reopen_until,
        "reopen_until": reopen_until,
        "can_appeal": closed and manifestation.is_information_access,
        "answer_form": extra.pop("answer_form", TextForm(auto_id=_auto_id("answer_form"))),
        "rating_form": extra.pop("rating_form", RatingForm(auto_id=_auto_id("rating_form"))),
        "reopen_form": extra.pop("reopen_form", ReasonForm(auto_id=_auto_id("reopen_form"))),
        "appeal_form": extra.pop("appeal_form", TextForm(auto_id=_auto_id("appeal_form"))),
        **extra,
    }


@require_GET
def follow_detail(request: HttpRequest, manifestation_nup: str) -> HttpResponse:
    manifestation = _manifestation_for_filer(request, manifestation_nup)
    response = render(request, "ombudsman/follow_detail.html", _follow_context(request, manifestation))
    response["Cache-Control"] = "private, no-store"
    return response


FILER_ACTIONS = {
    "responder": ("answer_form", TextForm),
    "avaliar": ("rating_form", RatingForm),
    "reabrir": ("reopen_form", ReasonForm),
    "recorrer": ("appeal_form", TextForm),
}


@require_POST
def follow_action(request: HttpRequest, manifestation_nup: str, ombudsman_action: str) -> HttpResponse:
    manifestation = _manifestation_for_filer(request, manifestation_nup)
    if ombudsman_action not in FILER_ACTIONS:
        raise Http404
    form_name, form_class = FILER_ACTIONS[ombudsman_action]
    form = form_class(request.POST, auto_id=_auto_id(form_name))
    if form.is_valid():
        data = form.cleaned_data
        try:
            if ombudsman_action == "responder":
                services.manifestation_answer_information(manifestation=manifestation, answer=data["text"])
                messages.success(request, _("Resposta enviada. O prazo voltou a correr."))
            elif ombudsman_action == "avaliar":
                services.manifestation_rate(
                    manifestation=manifestation,
                    is_resolved=data["is_resolved"],
                    satisfaction=data["satisfaction"],
                )
                messages.success(request, _("Obrigado pela avaliação."))
            elif ombudsman_action == "reabrir":
                services.manifestation_reopen(manifestation=manifestation, reason=data["reason"])
                messages.success(request, _("Manifestação reaberta."))
            else:
                services.appeal_file(manifestation=manifestation, reason=data["text"])
                messages.success(request, _("Recurso registrado."))
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("ombudsman:follow_detail", manifestation_nup=manifestation_nup)
    manifestation = selectors.manifestation_get_by_id(manifestation_id=manifestation.pk)
    return render(
        request,
        "ombudsman/follow_detail.html",
        _follow_context(request, manifestation, **{form_name: form}),
        status=400,
    )


# --- staff ----------------------------------------------------------------------------------


def _is_admin(user: Viewer) -> bool:
    return any(m.role == Role.ADMIN for m in membership_list_current(user_id=int(user.pk or 0)))


@require_GET
@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    rules = deadlines.settings_default()
    today = timezone.localdate()
    items = []
    for manifestation in selectors.manifestation_queryset_for_staff(request.user, rules).order_by(
        "-created_at"
    )[:200]:
        flag = selectors.deadline_flag(manifestation=manifestation, rules=rules, today=today)
        items.append(
            {
                "manifestation": manifestation,
                "flag": flag,
                "filer": selectors.filer_display_name(manifestation=manifestation, user=request.user),
            }
        )
    return render(
        request,
        "ombudsman/staff_list.html",
        {
            "title": _("Ouvidoria"),
            "items": items,
            "is_ombudsman": services.user_is_ombudsman(request.user, rules),
            "is_admin": _is_admin(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """A manifestation received by phone or in person, registered on the citizen's behalf."""
    status = 200
    if request.method == "POST":
        form = ManifestationForm(request.POST, check_spam=False)
        if form.is_valid():
            result = _file_from_form(form, registered_by=account(request.user))
            if result is not None:
                manifestation, code = result
                request.session[CODE_SESSION_KEY] = {"id": manifestation.pk, "code": code}
                return redirect("ombudsman:filed")
        status = 400
    else:
        form = ManifestationForm(check_spam=False)
    return render(
        request,
        "ombudsman/file.html",
        {
            "title": _("Registrar manifestação recebida por telefone ou presencialmente"),
            "form": form,
            "staff": True,
        },
        status=status,
    )


def _staff_context(request: HttpRequest, manifestation: Manifestation, **extra: Any) -> dict[str, Any]:
    rules = deadlines.settings_default()
    case = manifestation.case
    is_ombudsman = services.user_is_ombudsman(request.user, rules)
    revealed = extra.pop("revealed", False)
    return {
        "title": _("Manifestação %(nup)s") % {"nup": case.nup},
        "manifestation": manifestation,
        "case": case,
        "nup": nup_digits(nup=case.nup),
        "filer": selectors.filer_display_name(
            manifestation=manifestation, user=request.user, revealed=revealed
        ),
        "revealed": revealed and is_ombudsman,
        "is_ombudsman": is_ombudsman,
        "at_office": is_ombudsman and case.current_unit_id == services.ombudsman_unit(rules).pk,
        "is_closed": case.status == CaseStatus.CLOSED,
        "flag": selectors.deadline_flag(manifestation=manifestation, rules=rules),
        "pending_input": selectors.unit_input_pending(manifestation=manifestation, user=request.user),
        "pending": case_pending_information_request(case=case),
        "events": case_events_visible(case=case, user=request.user),
        "show_actor": True,
        "accesses": selectors.identity_access_list(manifestation=manifestation) if is_ombudsman else [],
        "open_appeal": selectors.appeal_pending(manifestation=manifestation),
        "forms": {
            "identidade": extra.pop("identidade", ReasonForm(auto_id=_auto_id("identidade"))),
            "encaminhar": extra.pop("encaminhar", UnitInputForm(auto_id=_auto_id("encaminhar"))),
            "prorrogar": extra.pop("prorrogar", TextForm(auto_id=_auto_id("prorrogar"))),
            "pedir-informacoes": extra.pop(
                "pedir-informacoes", TextForm(auto_id=_auto_id("pedir-informacoes"))
            ),
            "concluir": extra.pop("concluir", CloseForm(auto_id=_auto_id("concluir"))),
            "responder-unidade": extra.pop(
                "responder-unidade", TextForm(auto_id=_auto_id("responder-unidade"))
            ),
            "prorrogar-unidade": extra.pop(
                "prorrogar-unidade", TextForm(auto_id=_auto_id("prorrogar-unidade"))
            ),
            "decidir-recurso": extra.pop(
                "decidir-recurso", AppealDecisionForm(auto_id=_auto_id("decidir-recurso"))
            ),
        },
        **extra,
    }


@require_GET
@staff_required
def staff_detail(request: HttpRequest, manifestation_nup: str) -> HttpResponse:
    manifestation = _staff_manifestation(request, manifestation_nup)
    return render(request, "ombudsman/staff_detail.html", _staff_context(request, manifestation))


def _staff_manifestation(request: HttpRequest, manifestation_nup: str) -> Manifestation:
    visible = selectors.manifestation_queryset_for_staff(request.user)
    found = visible.filter(case__nup=nup_from_digits(manifestation_nup)).first()
    if found is None:
        raise Http404
    return found


def _reveal_identity(
    request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]
) -> HttpResponse:
    """The one action that answers with the page itself: the revealed identity is never in a redirect."""
    services.identity_reveal(manifestation=manifestation, user=account(request.user), reason=data["reason"])
    response = render(
        request, "ombudsman/staff_detail.html", _staff_context(request, manifestation, revealed=True)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _input_request(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    services.manifestation_input_request(
        manifestation=manifestation, actor=account(request.user), unit=data["unit"], question=data["text"]
    )


def _extend(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    services.manifestation_extend(
        manifestation=manifestation, actor=account(request.user), justification=data["text"]
    )


def _request_information(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    services.manifestation_request_information(
        manifestation=manifestation, actor=account(request.user), question=data["text"]
    )


def _close(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    uploads = uploads_from_files(request.FILES, {"anexos": _("Documento da resposta")}, default_name="anexo")
    services.manifestation_close(
        manifestation=manifestation,
        actor=account(request.user),
        answer=data["text"],
        uploads=uploads,
        otp_token=data["otp_token"],
    )


def _input_answer(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    services.manifestation_input_answer(
        manifestation=manifestation, actor=account(request.user), answer=data["text"]
    )


def _input_extend(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    services.manifestation_input_extend(
        manifestation=manifestation, actor=account(request.user), justification=data["text"]
    )


def _appeal_decide(request: HttpRequest, manifestation: Manifestation, data: dict[str, Any]) -> None:
    appeal = selectors.appeal_pending(manifestation=manifestation)
    if appeal is None:
        raise ApplicationError(_("Não há recurso aguardando decisão."))
    services.appeal_decide(
        appeal=appeal, actor=account(request.user), decision=data["text"], is_granted=data["is_granted"]
    )


@dataclass(frozen=True)
class StaffAction:
    """A staff action on a manifestation: its form, and what runs it once the form is valid (an
    `ApplicationError` goes back onto the form; a response, if it gives one, is the answer)."""

    form: type[forms.Form]
    run: Callable[[HttpRequest, Manifestation, dict[str, Any]], HttpResponse | None]


STAFF_ACTIONS: dict[str, StaffAction] = {
    "identidade": StaffAction(ReasonForm, _reveal_identity),
    "encaminhar": StaffAction(UnitInputForm, _input_request),
    "prorrogar": StaffAction(TextForm, _extend),
    "pedir-informacoes": StaffAction(TextForm, _request_information),
    "concluir": StaffAction(CloseForm, _close),
    "responder-unidade": StaffAction(TextForm, _input_answer),
    "prorrogar-unidade": StaffAction(TextForm, _input_extend),
    "decidir-recurso": StaffAction(AppealDecisionForm, _appeal_decide),
}


@require_POST
@staff_required
def staff_action(request: HttpRequest, manifestation_nup: str, ombudsman_action: str) -> HttpResponse:
    manifestation = _staff_manifestation(request, manifestation_nup)
    action = STAFF_ACTIONS.get(ombudsman_action)
    if action is None:
        raise Http404
    form = action.form(request.POST, auto_id=_auto_id(ombudsman_action))
    if form.is_valid():
        try:
            response = action.run(request, manifestation, form.cleaned_data)
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if response is not None:
                return response
            messages.success(request, _("Registrado."))
            try:
                _staff_manifestation(request, manifestation_nup)
            except Http404:
                return redirect("ombudsman:staff_list")
            return redirect("ombudsman:staff_detail", manifestation_nup=manifestation_nup)
    elif ombudsman_action == "identidade" and not services.user_is_ombudsman(request.user):
        raise PermissionDenied
    manifestation = selectors.manifestation_get_by_id(manifestation_id=manifestation.pk)
    return render(
        request,
        "ombudsman/staff_detail.html",
        _staff_context(request, manifestation, **{ombudsman_action: form}),
        status=400,
    )


def _report_period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("inicio", ""))
    except ValueError:
        start = today.replace(day=1) - dt.timedelta(days=365)
    try:
        end = dt.date.fromisoformat(request.GET.get("fim", ""))
    except ValueError:
        end = today
    return start, end


def _require_report_reader(request: HttpRequest) -> None:
    if not (services.user_is_ombudsman(request.user) or _is_admin(request.user)):
        raise Http404


@require_GET
@staff_required
def staff_report(request: HttpRequest) -> HttpResponse:
    _require_report_reader(request)
    start, end = _report_period(request)
    return render(
        request,
        "ombudsman/staff_report.html",
        {
            "title": _("Relatório da ouvidoria"),
            "rows": selectors.ombudsman_report(start=start, end=end),
            "start": start,
            "end": end,
            "period_form": ReportPeriodForm(initial={"inicio": start, "fim": end}),
        },
    )


@require_GET
@staff_required
def staff_report_csv(request: HttpRequest) -> HttpResponse:
    _require_report_reader(request)
    start, end = _report_period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ouvidoria-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "unidade",
            "tipo",
            "recebidas",
            "respondidas",
            "respondidas_no_prazo",
            "atrasadas",
            "tempo_medio_resposta_dias",
            "satisfacao_media",
            "resolvidas",
        ]
    )
    for row in selectors.ombudsman_report(start=start, end=end):
        writer.writerow(
            [
                row.unit,
                row.kind,
                row.received,
                row.answered,
                row.answered_in_time,
                row.overdue,
                "" if row.average_response_days is None else row.average_response_days,
                "" if row.average_satisfaction is None else row.average_satisfaction,
                row.resolved,
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def staff_settings(request: HttpRequest) -> HttpResponse:
    """Municipal admins set the ombudsman office and each deadline rule (days, calendar or business)."""
    if not _is_admin(request.user):
        raise Http404
    instance = deadlines.settings_default()
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=instance)
        if form.is_valid():
            services.ombudsman_settings_update(settings=form.save(commit=False))
            messages.success(request, _("Configuração da ouvidoria salva."))
            return redirect("ombudsman:staff_settings")
        status = 400
    else:
        form = SettingsForm(instance=instance)
    return render(
        request,
        "ombudsman/staff_settings.html",
        {"title": _("Configuração da ouvidoria"), "form": form},
        status=status,
    )
