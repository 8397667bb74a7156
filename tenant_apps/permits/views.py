"""Pages of the permits module: the requester's form and follow-up, the public register, the staff's
queue and decisions, and the municipal admin's builders (routing rules with a test mode, risk levels)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.decorators import municipal_admin_required, staff_required
from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import account
from tenant_apps.catalog.request_form import service_request_read
from tenant_apps.documents.uploads import uploads_from_files
from tenant_apps.govbr.enums import ReliabilityLevel
from tenant_apps.govbr.models import ReliabilityRequirement
from tenant_apps.govbr.selectors import GovBrLevelRequired, reliability_problem, reliability_required
from tenant_apps.insights.selectors import Period, Scope, scope_for
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_managed_unit_ids, user_unit_ids

from . import builders, fees, indicators, routing, selectors, services
from .cnae import cnae_codes_split, cnae_normalize
from .enums import BuilderTarget, CheckStatus, OpinionStatus, RequestStatus
from .forms import (
    BULK_FIELD,
    AppealVerdictForm,
    ChecklistItemForm,
    FileClassifyForm,
    FilesForm,
    IssueForm,
    KindDataForm,
    KindFeeForm,
    KindIssueForm,
    KindTypeForm,
    OpinionForm,
    RiskOverrideForm,
    RuleEditForm,
    RuleForm,
    RuleTestForm,
    StatusFilterForm,
    StatusForm,
    TextForm,
    checklist_field_name,
    permit_request_form_class,
)
from .models import BuilderChange, ChecklistItem, Opinion, PermitKind, RiskOverride, RoutingRule

REGISTER_PAGE_SIZE = 50


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    if not isinstance(user, User) or user.kind != UserKind.CITIZEN:
        return None
    return user


# --- public ------------------------------------------------------------------------------------------


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The public register of issued permits: number, kind, activity, neighbourhood, status, dates; the
    holder's name only for companies other than a MEI (whose name is its owner's: no personal data of
    individuals)."""
    query = request.GET.get("q", "").strip()[:60]
    page = Paginator(selectors.permit_register(query=query), REGISTER_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    rows = [selectors.register_row(permit=permit) for permit in page.object_list]
    return render(
        request,
        "permits/register.html",
        {"title": _("Alvarás emitidos"), "rows": rows, "page": page, "query": query},
    )


@require_GET
def kind_list(request: HttpRequest) -> HttpResponse:
    kinds = list(selectors.permit_kind_list_public())
    for kind in kinds:  # the gov.br level the city set for the kind, said before the form
        level = reliability_required(target=ReliabilityRequirement.Target.PERMIT, code=kind.service.code)
        kind.govbr_level = ReliabilityLevel(level).label if level else ""  # type: ignore[attr-defined]
    return render(request, "permits/kind_list.html", {"title": _("Pedir alvará ou licença"), "kinds": kinds})


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, kind_code: str) -> HttpResponse:
    kind = selectors.permit_kind_get_public(code=kind_code)
    form_class = permit_request_form_class(kind)
    citizen = _citizen(request)
    form = form_class()
    status = 400 if request.method == "POST" else 200
    # the gov.br level the city set for this kind, explained before the form (never a bare refusal)
    level_required = reliability_required(target=ReliabilityRequirement.Target.PERMIT, code=kind.service.code)
    level_problem = (
        reliability_problem(user=citizen, target=ReliabilityRequirement.Target.PERMIT, code=kind.service.code)
        if citizen is not None
        else ""
    )
    if request.method == "POST":
        if citizen is None:
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            labels = {checklist_field_name(item.pk): item.name for item in kind.checklist.all()}
            labels[BULK_FIELD] = ""
            answers = service_request_read(
                service=kind.service, form=form, files=request.FILES, extra_uploads=labels
            )
            answers.form_data.pop("termo", None)
            for key in list(answers.form_data):
                if key.startswith("checklist_") or key == BULK_FIELD:
                    answers.form_data.pop(key)
            try:
                permit_request = services.permit_request_submit(
                    kind=kind,
                    citizen=citizen,
                    form_data=answers.form_data,
                    uploads=answers.uploads,
                    accept_terms=bool(form.cleaned_data.get("termo")),
                )
            except GovBrLevelRequired as error:
                form.add_error(None, error.message)
                level_problem, status = error.message, 403
            except ApplicationError as error:
                field = error.extra.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(
                    request, _("Pedido recebido. A pré-análise automática leva alguns segundos.")
                )
                return redirect("permits:request_detail", permit_request_id=permit_request.pk)
    return render(
        request,
        "permits/request_new.html",
        {
            "title": kind.service.name,
            "kind": kind,
            "form": form,
            "citizen": citizen,
            "level_required": ReliabilityLevel(level_required).label if level_required else "",
            "level_problem": level_problem,
        },
        status=status,
    )


# --- the requester -----------------------------------------------------------------------------------


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    return render(
        request,
        "permits/request_list.html",
        {
            "title": _("Meus pedidos de alvará"),
            "requests": selectors.permit_request_list_for_citizen(user=citizen),
        },
    )


def _detail_context(permit_request: Any) -> dict[str, Any]:
    return {
        "title": _("Pedido de %(kind)s") % {"kind": permit_request.kind.service.name},
        "permit_request": permit_request,
        "files": selectors.request_files_current(request=permit_request),
        "opinions": selectors.request_opinions(request=permit_request),
        "countdown": selectors.decision_countdown(request=permit_request),
        "appeal_due": services.appeal_deadline(request=permit_request),
        "today": timezone.localdate(),
        "guide": fees.fee_guide(request=permit_request),
        "permit": getattr(permit_request, "permit", None),
        "statuses": RequestStatus,
    }


@require_GET
def request_detail(request: HttpRequest, permit_request_id: int) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    permit_request = selectors.permit_request_get_for_citizen(user=citizen, request_id=permit_request_id)
    context = _detail_context(permit_request)
    context.update(
        files_form=FilesForm(items=_items_to_fix(permit_request, context["files"])), appeal_form=TextForm()
    )
    return render(request, "permits/request_detail.html", context)


def _items_to_fix(permit_request: Any, files: Any) -> list[Any]:
    """The checklist items the requester must send again: required and missing, or with a problem."""
    present = {request_file.item_id for request_file in files}
    failing = {request_file.item_id for request_file in files if request_file.result == CheckStatus.PROBLEM}
    return [
        item
        for item in permit_request.kind.checklist.all()
        if item.pk in failing or (item.is_required and item.pk not in present)
    ]


@require_POST
def request_action(request: HttpRequest, permit_request_id: int, permit_action: str) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    permit_request = selectors.permit_request_get_for_citizen(user=citizen, request_id=permit_request_id)
    action = permit_action
    try:
        if action == "termo":
            services.request_terms_accept(request=permit_request, citizen=citizen)
            messages.success(request, _("Termo aceito."))
        elif action == "insistir":
            services.request_insist(request=permit_request, citizen=citizen)
            messages.success(request, _("Pedido enviado com as pendências; a equipe vai analisar."))
        elif action == "arquivos":
            uploads = [
                *uploads_from_files(
                    request.FILES,
                    {
                        checklist_field_name(item.pk): item.name
                        for item in permit_request.kind.checklist.all()
                    },
                ),
                *uploads_from_files(request.FILES, {"arquivos": ""}),
            ]
            services.request_files_replace(request=permit_request, citizen=citizen, uploads=uploads)
            messages.success(request, _("Arquivos recebidos; a pré-análise vai rodar de novo."))
        elif action == "recurso":
            services.request_appeal(
                request=permit_request, citizen=citizen, text=request.POST.get("text", "")
            )
            messages.success(request, _("Recurso enviado."))
        else:
            return HttpResponse(status=404)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("permits:request_detail", permit_request_id=permit_request.pk)


# --- staff -------------------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("situacao", "")
    requests_ = selectors.permit_request_list_for_staff(user=request.user)
    if status in RequestStatus.values:
        requests_ = requests_.filter(status=status)
    return render(
        request,
        "permits/staff_list.html",
        {
            "title": _("Alvarás — pedidos"),
            "requests": requests_[:200],
            "opinions": selectors.opinions_pending_for_user(user=request.user)[:200],
            "filter_form": StatusFilterForm(
                initial={"situacao": status}, choices=list(RequestStatus.choices)
            ),
        },
    )


@staff_required
@require_GET
def staff_detail(request: HttpRequest, permit_request_id: int) -> HttpResponse:
    permit_request = selectors.permit_request_get_for_staff(user=request.user, request_id=permit_request_id)
    units = set(user_unit_ids(request.user))
    context = _detail_context(permit_request)
    context.update(
        my_opinions=[
            o for o in context["opinions"] if o.unit_id in units and o.status == OpinionStatus.PENDING
        ],
        is_licensing=permit_request.kind.service.unit_id in units,
        opinion_form=OpinionForm(),
        issue_form=IssueForm(),
        verdict_form=AppealVerdictForm(),
        status_form=StatusForm(),
        appeal_form=TextForm(),
    )
    items = list(permit_request.kind.checklist.all())
    context["classify_forms"] = [
        (
            request_file,
            FileClassifyForm(
                prefix=f"arquivo-{request_file.pk}",
                items=permit_request.kind.checklist.all(),
                file_name=request_file.attachment.original_name,
                initial={"item": request_file.item_id},
            ),
        )
        for request_file in context["files"]
    ]
    context["items"] = items
    return render(request, "permits/staff_detail.html", context)


@staff_required
@require_POST
def staff_action(request: HttpRequest, permit_request_id: int, permit_action: str) -> HttpResponse:
    permit_request = selectors.permit_request_get_for_staff(user=request.user, request_id=permit_request_id)
    user = account(request.user)
    action = permit_action
    try:
        if action == "parecer":
            opinion = Opinion.objects.get(pk=int(request.POST.get("opinion", "0")), request=permit_request)
            services.opinion_give(
                opinion=opinion,
                actor=user,
                is_favourable=request.POST.get("verdict") == "favoravel",
                text=request.POST.get("text", ""),
            )
            messages.success(request, _("Parecer registrado."))
        elif action == "emitir":
            services.permit_issue(
                request=permit_request, actor=user, otp_token=request.POST.get("otp_token", "")
            )
            messages.success(request, _("Alvará emitido e assinado."))
        elif action == "situacao":
            services.permit_status_set(
                permit=permit_request.permit,
                actor=user,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Situação do alvará alterada."))
        elif action == "recurso":
            services.appeal_decide(
                request=permit_request,
                actor=user,
                is_granted=request.POST.get("verdict") == "provido",
                text=request.POST.get("text", ""),
                otp_token=request.POST.get("otp_token", ""),
            )
            messages.success(request, _("Recurso decidido."))
        else:
            return HttpResponse(status=404)
    except (ApplicationError, ValueError, Opinion.DoesNotExist) as error:
        messages.error(request, getattr(error, "message", _("Pedido inválido.")))
    return redirect("permits:staff_detail", permit_request_id=permit_request.pk)


@staff_required
@require_GET
def staff_figures(request: HttpRequest) -> HttpResponse:
    """The managers' permits page (unit managers and municipal admins): the same figures as the
    `alvaras` and `alvaras-pareceres` charts of /staff/indicadores/ (one owner:
    `indicators.permit_summary`), over the last twelve months of the manager's units (the city for
    the admin), with a link to those charts for the same period."""
    user = account(request.user)
    is_admin = import_string(settings.MUNICIPAL_ADMIN_CHECK)(user_id=user.pk)
    if not user_managed_unit_ids(user) and not is_admin:
        raise Http404
    scope = scope_for(user) or Scope(unit_ids=None if is_admin else frozenset(), label="")
    last = timezone.localdate()
    period = Period(last.replace(year=last.year - 1) + dt.timedelta(days=1), last)
    return render(
        request,
        "permits/staff_figures.html",
        {
            "title": _("Alvarás — indicadores"),
            "period": period,
            "scope": scope,
            "charts_url": f"{reverse('insights:manager')}?de={period.first.isoformat()}"
            f"&ate={period.last.isoformat()}#grafico-alvaras",
            **indicators.permit_summary(scope, period),
        },
    )


# --- the municipal admin's builders --------------------------------------------------------------------


def _stages_from_acronyms(raw: Any) -> Any:
    """Stages as typed by the admin (unit acronyms) into unit ids; unknown acronyms are left for the
    service to refuse."""
    acronyms = dict(OrgUnit.objects.values_list("acronym", "pk"))
    if not isinstance(raw, list):
        return raw
    return [
        [
            {**entry, "unidade": acronyms.get(str(entry.get("unidade")), -1)}
            if isinstance(entry, dict)
            else entry
            for entry in stage
        ]
        if isinstance(stage, list)
        else stage
        for stage in raw
    ]


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def admin_home(request: HttpRequest) -> HttpResponse:
    rule_form = RuleForm(prefix="regra")
    test_form = RuleTestForm(prefix="teste")
    risk_form = RiskOverrideForm(prefix="risco")
    route = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regra":
            rule_form = RuleForm(request.POST, prefix="regra")
            if rule_form.is_valid():
                data = rule_form.cleaned_data
                try:
                    builders.routing_rule_create(
                        actor=account(request.user),
                        name=data["name"],
                        position=data["position"],
                        conditions=json.loads(data["conditions"]),
                        stages=_stages_from_acronyms(json.loads(data["stages"])),
                        is_published=data["is_published"],
                    )
                except json.JSONDecodeError:
                    rule_form.add_error(None, _("Condições e etapas precisam estar em JSON válido."))
                except ApplicationError as error:
                    rule_form.add_error(None, error.message)
                else:
                    messages.success(request, _("Regra salva."))
                    return redirect("permits:admin_home")
        elif action == "teste":
            test_form = RuleTestForm(request.POST, prefix="teste")
            if test_form.is_valid():
                data = test_form.cleaned_data
                route = routing.route_compute(
                    rules=builders.routing_rules_for_test(),
                    facts=routing.RequestFacts(
                        kind_code=data["kind_code"],
                        risk_level=data["risk_level"],
                        area_m2=data["area_m2"] if data["area_m2"] is not None else None,
                        neighbourhood=data["neighbourhood"],
                        activities=tuple(
                            cnae_normalize(code) for code in cnae_codes_split(data["activities"])
                        ),
                    ),
                )
        elif action == "risco":
            risk_form = RiskOverrideForm(request.POST, prefix="risco")
            if risk_form.is_valid():
                try:
                    builders.risk_override_record(actor=account(request.user), **risk_form.cleaned_data)
                except ApplicationError as error:
                    risk_form.add_error(None, error.message)
                else:
                    messages.success(request, _("Nível de risco do município salvo."))
                    return redirect("permits:admin_home")
    unit_names = dict(OrgUnit.objects.values_list("pk", "acronym"))
    rules = [
        {
            "rule": rule,
            "stages": " → ".join(
                " + ".join(f"{unit_names.get(entry['unidade'], '?')} ({entry['dias']}d)" for entry in stage)
                for stage in rule.stages
            ),
        }
        for rule in RoutingRule.objects.order_by("position", "id")
    ]
    route_text = None
    if route is not None:
        route_text = " → ".join(
            " + ".join(f"{unit_names.get(unit, '?')} ({days}d)" for unit, days in stage)
            for stage in route.stages
        ) or _("nenhuma regra se aplica: o pedido vai só à unidade licenciadora do tipo")
    drafts = {
        rule.replaces_id: rule
        for rule in RoutingRule.objects.filter(
            is_published=False, retired_at__isnull=True, replaces__isnull=False
        )
    }
    for entry in rules:
        rule_row: Any = entry["rule"]
        entry["draft"] = drafts.get(rule_row.pk)
    kinds = [
        {"kind": kind, "items": selectors.checklist_corrections(kind=kind)}
        for kind in PermitKind.objects.select_related("service", "template").order_by("service__name")
    ]
    return render(
        request,
        "permits/admin_home.html",
        {
            "title": _("Alvarás — configuração"),
            "rules": rules,
            "rule_form": rule_form,
            "test_form": test_form,
            "risk_form": risk_form,
            "route_text": route_text,
            "route_rules": route.rules if route else [],
            "overrides": RiskOverride.objects.all(),
            "kinds": kinds,
            "zero": Decimal(0),
            "changes": BuilderChange.objects.select_related("actor")[:10],
        },
        status=400 if request.method == "POST" else 200,
    )


def _kind_for_admin(permit_kind_id: int) -> PermitKind:
    kind = PermitKind.objects.select_related("service", "template").filter(pk=permit_kind_id).first()
    if kind is None:
        raise Http404
    return kind


def _builder_changes(*, target: str, object_ids: list[int]) -> Any:
    return BuilderChange.objects.filter(target=target, object_id__in=object_ids).select_related("actor")[:20]


def _error_to(forms_by_field: list[Any], error: ApplicationError) -> None:
    """Put a service's refusal on the form that has the field it names (else on the first form)."""
    field = error.extra.get("field")
    for form in forms_by_field:
        if field in form.fields:
            form.add_error(field, error.message)
            return
    forms_by_field[0].add_error(None, error.message)


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def admin_kind_edit(request: HttpRequest, permit_kind_id: int) -> HttpResponse:
    """Edit a permit kind: what the requester sees, the fee table, how the permit is issued."""
    kind = _kind_for_admin(permit_kind_id)
    service_fields = list(kind.service.fields.all())
    field_choices = [(field.key, field.label) for field in service_fields]
    if request.method == "POST":
        data_form = KindDataForm(request.POST, prefix="dados", field_choices=field_choices)
        type_form = KindTypeForm(request.POST, prefix="especie")
        fee_form = KindFeeForm(request.POST, prefix="taxa")
        issue_form = KindIssueForm(request.POST, prefix="emissao")
        all_forms = [data_form, type_form, fee_form, issue_form]
        if all([form.is_valid() for form in all_forms]):  # noqa: C419 - every form validated, errors shown at once
            try:
                builders.permit_kind_update(
                    kind=kind,
                    actor=account(request.user),
                    name=data_form.cleaned_data["name"],
                    description=data_form.cleaned_data["description"],
                    required_keys=data_form.cleaned_data["required_keys"],
                    fee_mode=fee_form.cleaned_data["fee_mode"],
                    fee_table=fee_form.fee_table(),
                    template=issue_form.cleaned_data["template"],
                    signature_level=issue_form.cleaned_data["signature_level"],
                    decision_days=issue_form.cleaned_data["decision_days"],
                    validity_days=issue_form.cleaned_data["validity_days"],
                    conditions=issue_form.cleaned_data["conditions"],
                    terms_text=issue_form.cleaned_data["terms_text"],
                    **type_form.cleaned_data,
                )
            except ApplicationError as error:
                _error_to(all_forms, error)
            else:
                messages.success(request, _("Tipo de alvará salvo."))
                return redirect("permits:admin_kind_edit", permit_kind_id=kind.pk)
    else:
        data_form = KindDataForm(
            prefix="dados",
            field_choices=field_choices,
            initial={
                "name": kind.service.name,
                "description": kind.service.description,
                "required_keys": [field.key for field in service_fields if field.is_required],
            },
        )
        type_form = KindTypeForm(
            prefix="especie",
            initial={
                "kind_type": kind.kind_type,
                "uses_activity_risk": kind.uses_activity_risk,
                "fixed_level": kind.fixed_level,
            },
        )
        fee_form = KindFeeForm(
            prefix="taxa", initial=KindFeeForm.initial_for(kind.fee_mode, kind.fee_table or {})
        )
        issue_form = KindIssueForm(
            prefix="emissao",
            initial={
                "template": kind.template_id,
                "signature_level": kind.signature_level,
                "decision_days": kind.decision_days,
                "validity_days": kind.validity_days,
                "conditions": kind.conditions,
                "terms_text": kind.terms_text,
            },
        )
    items = list(kind.checklist.all())
    changes = kind.builder_changes.select_related("actor")[:20]
    return render(
        request,
        "permits/admin_kind_edit.html",
        {
            "title": _("Editar %(kind)s") % {"kind": kind.service.name},
            "kind": kind,
            "data_form": data_form,
            "type_form": type_form,
            "fee_form": fee_form,
            "issue_form": issue_form,
            "items": items,
            "open_requests": builders.open_requests_of_kind(kind),
            "changes": changes,
        },
        status=400 if request.method == "POST" else 200,
    )


def _item_form_initial(item: ChecklistItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "accepted_types": list(item.accepted_types),
        "max_size_mb": item.max_size_mb,
        "validity_days": item.validity_days,
        "must_be_signed": item.must_be_signed,
        "is_required": item.is_required,
        "match_words": ", ".join(item.match_words),
    }


def _item_page(request: HttpRequest, kind: PermitKind, item: ChecklistItem | None) -> HttpResponse:
    if request.method == "POST":
        form = ChecklistItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                builders.checklist_item_write(
                    kind=kind,
                    actor=account(request.user),
                    item=item,
                    name=data["name"],
                    accepted_types=data["accepted_types"],
                    max_size_mb=data["max_size_mb"],
                    must_be_signed=data["must_be_signed"],
                    validity_days=data["validity_days"],
                    is_required=data["is_required"],
                    match_words=form.words(),
                )
            except ApplicationError as error:
                _error_to([form], error)
            else:
                messages.success(request, _("Documento do checklist salvo."))
                return redirect("permits:admin_kind_edit", permit_kind_id=kind.pk)
    else:
        form = ChecklistItemForm(initial=_item_form_initial(item) if item is not None else None)
    title = (
        _("Editar documento: %(name)s") % {"name": item.name}
        if item is not None
        else _("Novo documento do checklist")
    )
    return render(
        request,
        "permits/admin_item_edit.html",
        {"title": title, "kind": kind, "item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def admin_item_new(request: HttpRequest, permit_kind_id: int) -> HttpResponse:
    return _item_page(request, _kind_for_admin(permit_kind_id), None)


def _item_for_admin(kind: PermitKind, checklist_item_id: int) -> ChecklistItem:
    item = kind.checklist.filter(pk=checklist_item_id).first()
    if item is None:
        raise Http404
    return item


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def admin_item_edit(request: HttpRequest, permit_kind_id: int, checklist_item_id: int) -> HttpResponse:
    kind = _kind_for_admin(permit_kind_id)
    return _item_page(request, kind, _item_for_admin(kind, checklist_item_id))


@municipal_admin_required
@require_POST
def admin_item_action(
    request: HttpRequest, permit_kind_id: int, checklist_item_id: int, item_action: str
) -> HttpResponse:
    """Move a checklist document up or down, or remove it (the buttons of the kind's page)."""
    kind = _kind_for_admin(permit_kind_id)
    item = _item_for_admin(kind, checklist_item_id)
    try:
        if item_action in ("subir", "descer"):
            builders.checklist_item_move(item=item, actor=account(request.user), up=item_action == "subir")
        elif item_action == "remover":
            builders.checklist_item_remove(item=item, actor=account(request.user))
            messages.success(request, _("Documento removido do checklist."))
        else:
            raise Http404
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(reverse("permits:admin_kind_edit", args=[kind.pk]) + "#checklist")


def _stages_as_acronyms(stages: Any) -> list[list[dict[str, Any]]]:
    acronyms = dict(OrgUnit.objects.values_list("pk", "acronym"))
    return [
        [{"unidade": acronyms.get(entry["unidade"], "?"), "dias": entry["dias"]} for entry in stage]
        for stage in stages
    ]


@municipal_admin_required
@require_http_methods(["GET", "POST"])
def admin_rule_edit(request: HttpRequest, routing_rule_id: int) -> HttpResponse:
    """Edit a routing rule: a draft in place, a published rule as its next version (a draft)."""
    rule = RoutingRule.objects.filter(pk=routing_rule_id).first()
    if rule is None:
        raise Http404
    draft = builders.routing_rule_draft_of(rule) if rule.is_published else None
    shown = draft or rule
    if request.method == "POST" and rule.retired_at is None:
        form = RuleEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = builders.routing_rule_update(
                    rule=rule,
                    actor=account(request.user),
                    name=data["name"],
                    position=data["position"],
                    conditions=json.loads(data["conditions"]),
                    stages=_stages_from_acronyms(json.loads(data["stages"])),
                )
            except json.JSONDecodeError:
                form.add_error(None, _("Condições e etapas precisam estar em JSON válido."))
            except ApplicationError as error:
                _error_to([form], error)
            else:
                if saved.pk != rule.pk:
                    messages.success(
                        request,
                        _(
                            "Nova versão (v%(version)s) salva como rascunho: a versão publicada continua "
                            "valendo até você publicar esta. Confira no modo de teste."
                        )
                        % {"version": saved.version},
                    )
                else:
                    messages.success(request, _("Regra salva."))
                return redirect("permits:admin_rule_edit", routing_rule_id=saved.pk)
    else:
        form = RuleEditForm(
            initial={
                "name": shown.name,
                "position": shown.position,
                "conditions": json.dumps(shown.conditions, ensure_ascii=False),
                "stages": json.dumps(_stages_as_acronyms(shown.stages), ensure_ascii=False),
            }
        )
    versions = list(_rule_versions(rule))
    return render(
        request,
        "permits/admin_rule_edit.html",
        {
            "title": _("Editar regra: %(name)s") % {"name": rule.name},
            "rule": rule,
            "draft": draft,
            "form": form,
            "versions": versions,
            "changes": _builder_changes(target=BuilderTarget.RULE, object_ids=[v.pk for v in versions]),
        },
        status=400 if request.method == "POST" else 200,
    )


def _rule_versions(rule: RoutingRule) -> list[RoutingRule]:
    """Every version of the rule's line, oldest first (a few rows: walked in Python)."""
    root = rule
    while root.replaces_id is not None:
        root = RoutingRule.objects.get(pk=root.replaces_id)
    line, frontier = [root], [root.pk]
    while frontier:
        found = list(RoutingRule.objects.filter(replaces_id__in=frontier).order_by("pk"))
        line.extend(found)
        frontier = [entry.pk for entry in found]
    return line


@staff_required
@require_POST
def staff_file_classify(request: HttpRequest, permit_request_id: int, request_file_id: int) -> HttpResponse:
    """Staff correct the checklist item of one file (its own small form on the case page)."""
    permit_request = selectors.permit_request_get_for_staff(user=request.user, request_id=permit_request_id)
    request_file = permit_request.files.filter(pk=request_file_id).first()
    if request_file is None:
        raise Http404
    form = FileClassifyForm(
        request.POST, prefix=f"arquivo-{request_file.pk}", items=permit_request.kind.checklist.all()
    )
    if form.is_valid():
        try:
            services.request_file_classify(
                request_file=request_file, actor=account(request.user), item=form.cleaned_data["item"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Classificação corrigida."))
    else:
        messages.error(request, _("Escolha um item do checklist deste tipo de alvará."))
    return redirect("permits:staff_detail", permit_request_id=permit_request.pk)


@municipal_admin_required
@require_POST
def admin_rule_publish(request: HttpRequest, routing_rule_id: int) -> HttpResponse:
    """Publish a draft (a new version retires the one it replaces) or unpublish a published rule."""
    rule = RoutingRule.objects.filter(pk=routing_rule_id).first()
    if rule is None:
        raise Http404
    try:
        builders.routing_rule_publish(
            rule=rule, actor=account(request.user), is_published=not rule.is_published
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Regra publicada.") if not rule.is_published else _("Regra despublicada.")
        )
    return redirect(reverse("permits:admin_home") + "#regras")
