"""Citizen and staff pages of the Protocolo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paco.client_ip import client_ip
from paco.decorators import staff_required
from paco.errors import PASS_THROUGH, ApplicationError
from paco.ratelimit import rate_limited
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import account
from tenant_apps.catalog.request_form import service_request_form_class, service_request_read
from tenant_apps.catalog.selectors import service_get_with_form, service_list_public
from tenant_apps.documents.uploads import uploads_from_files
from tenant_apps.govbr.selectors import reliability_problem
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.org.selectors import membership_list_current, user_managed_unit_ids

from . import services
from .enums import CaseStatus
from .forms import (
    AnswerForm,
    AssignForm,
    AttachForm,
    CloseForm,
    DispatchForm,
    ForwardForm,
    InformationRequestForm,
    ReopenForm,
)
from .selectors import (
    INBOX_FILTERS,
    case_counts_by_filter,
    case_deadlines_for_manager,
    case_document_for_requester,
    case_documents,
    case_events_for_citizen,
    case_events_visible,
    case_get_for_citizen,
    case_get_for_staff,
    case_list_inbox,
    case_pending_information_request,
    case_submission,
    case_user_can_act,
)

# --- citizen --------------------------------------------------------------------------------


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/service_list.html",
        {"title": _("Carta de Serviços"), "services": service_list_public()},
    )


@require_http_methods(["GET", "POST"])
@rate_limited("case_open")
def service_request(request: HttpRequest, code: str) -> HttpResponse:
    service = service_get_with_form(code=code)
    if service is None:
        raise Http404
    # A service citizens book a time for (scheduling's Agenda points at it): the case is opened by
    # the booking, so its page is the booking flow.
    # A permit kind (tenant_apps.permits points at the service): its own form, checklist and pre-analysis.
    if getattr(service, "permit_kind", None) is not None:
        return redirect(f"/alvaras/solicitar/{service.code}/")
    agenda = service.agendas.filter(is_active=True, is_public=True).order_by("pk").first()
    if agenda is not None:
        return redirect("scheduling:citizen_slots", agenda_code=agenda.code)
    form_class = service_request_form_class(service)
    if request.method == "POST":
        user = request.user
        if not isinstance(user, User) or user.kind != UserKind.CITIZEN:
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        form = form_class(request.POST, request.FILES)
        problem = reliability_problem(user=user, target="servico", code=service.code)
        if problem:
            # the city set the gov.br level this service needs online (never a bare refusal)
            form.add_error(None, problem)
            return render(
                request,
                "cases/service_request.html",
                {"title": service.name, "service": service, "form": form},
                status=403,
            )
        if form.is_valid():
            answers = service_request_read(
                service=service,
                form=form,
                files=request.FILES,
                extra_uploads={"outros_anexos": _("Outro documento")},
            )
            try:
                case = services.case_open(
                    service=service,
                    opened_by=user,
                    subject=answers.subject,
                    description=answers.description,
                    form_data=answers.form_data,
                    uploads=answers.uploads,
                )
            except PASS_THROUGH:
                raise
            except ApplicationError as error:
                field = error.extra.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Pedido registrado com o protocolo %(nup)s.") % {"nup": case.nup})
                return redirect("cases:citizen_case", nup=services.nup_digits(nup=case.nup))
        status = 400
    else:
        form = form_class()
        status = 200
    return render(
        request,
        "cases/service_request.html",
        {"title": service.name, "service": service, "form": form},
        status=status,
    )


def _citizen_documents(request: HttpRequest, case: Any) -> list[Any]:
    """The case's documents for the requester; those they wrote themselves carry, when gov.br
    assinatura is configured, the form to sign them with gov.br (or that they already did)."""
    from tenant_apps.documents.selectors import document_version_latest
    from tenant_apps.signatures.forms import GovBrStartForm
    from tenant_apps.signatures.govbr import govbr_enabled
    from tenant_apps.signatures.services import citizen_signed_version_ids

    documents = list(case_documents(case=case, for_requester=True))
    if not govbr_enabled():
        return documents
    own = [document for document in documents if document.author_id == request.user.pk]
    signed = citizen_signed_version_ids(citizen=request.user, documents=own)  # type: ignore[arg-type]
    for document in own:
        document.govbr_signed = document.pk in signed
        document.govbr_form = GovBrStartForm(
            initial={"expected_version": document_version_latest(document=document).number}
        )
    return documents


def _citizen_case_context(request: HttpRequest, case: Any, **extra: Any) -> dict[str, Any]:
    return {
        "title": _("Protocolo %(nup)s") % {"nup": case.nup},
        "case": case,
        "events": case_events_for_citizen(case=case, user=request.user),
        "pending": case_pending_information_request(case=case),
        "documents": _citizen_documents(request, case),
        "submission": case_submission(case=case),
        "answer_form": extra.pop("answer_form", AnswerForm()),
        **extra,
    }


@require_GET
def citizen_case(request: HttpRequest, nup: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    from tenant_apps.signatures.views import govbr_csp

    case = case_get_for_citizen(user=request.user, digits=nup)
    return govbr_csp(render(request, "cases/citizen_case.html", _citizen_case_context(request, case)))


@require_POST
def citizen_answer(request: HttpRequest, nup: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    case = case_get_for_citizen(user=request.user, digits=nup)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_answer_information(
                case=case,
                citizen=request.user,
                answer=form.cleaned_data["answer"],
                uploads=uploads_from_files(request.FILES, {"anexos": _("Documento enviado pelo requerente")}),
            )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Resposta enviada. O prazo voltou a correr."))
            return redirect("cases:citizen_case", nup=nup)
    case.refresh_from_db()
    return render(
        request, "cases/citizen_case.html", _citizen_case_context(request, case, answer_form=form), status=400
    )


@require_GET
def citizen_document_pdf(request: HttpRequest, nup: str, document_id: int) -> HttpResponse:
    """A document of the requester's case as PDF (the request document is the receipt)."""
    from tenant_apps.documents.enums import AccessAction
    from tenant_apps.documents.selectors import document_version_latest
    from tenant_apps.documents.services import document_access_log_record, document_pdf_read

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    case = case_get_for_citizen(user=request.user, digits=nup)
    document = case_document_for_requester(case=case, document_id=document_id)
    data = document_pdf_read(version=document_version_latest(document=document))
    document_access_log_record(
        document=document,
        user=request.user,
        action=AccessAction.DOWNLOAD,
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{document.kind}-{document.sequence}-{document.year}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def citizen_attachment(request: HttpRequest, nup: str, document_id: int, attachment_id: int) -> HttpResponse:
    """A file the requester sent (or may see) on their own case, as they uploaded it."""
    from tenant_apps.documents.enums import AccessAction
    from tenant_apps.documents.selectors import document_attachment_get
    from tenant_apps.documents.services import attachment_read, document_access_log_record

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    case = case_get_for_citizen(user=request.user, digits=nup)
    document = case_document_for_requester(case=case, document_id=document_id)
    attachment = document_attachment_get(document=document, attachment_id=attachment_id)
    data = attachment_read(attachment=attachment)
    document_access_log_record(
        document=document,
        user=request.user,
        action=AccessAction.DOWNLOAD,
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name) or ""
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def citizen_attachment_preview(
    request: HttpRequest, nup: str, document_id: int, attachment_id: int
) -> HttpResponse:
    """What the requester's case page shows of a file they may download: an image itself, a PDF's
    first page drawn on the server (the download's rule; logged as a view, not a download)."""
    from tenant_apps.documents.enums import AccessAction
    from tenant_apps.documents.selectors import document_attachment_get
    from tenant_apps.documents.services import document_access_log_record
    from tenant_apps.documents.views import attachment_preview_response

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    case = case_get_for_citizen(user=request.user, digits=nup)
    document = case_document_for_requester(case=case, document_id=document_id)
    attachment = document_attachment_get(document=document, attachment_id=attachment_id)

    def record() -> None:
        document_access_log_record(
            document=document, user=request.user, action=AccessAction.VIEW, ip_address=client_ip(request)
        )

    return attachment_preview_response(request, attachment, record=record)


# --- staff ----------------------------------------------------------------------------------


@require_GET
@staff_required
def staff_inbox(request: HttpRequest) -> HttpResponse:
    memberships = list(membership_list_current(user_id=int(request.user.pk or 0)))
    units = list(dict.fromkeys(membership.unit for membership in memberships))
    if not units:
        return render(request, "cases/staff_inbox.html", {"title": _("Caixa de entrada"), "units": []})
    selected = next((unit for unit in units if unit.acronym == request.GET.get("unidade")), units[0])
    filter_name = request.GET.get("filtro", "todos")
    if filter_name not in INBOX_FILTERS:
        filter_name = "todos"
    query = request.GET.get("q", "")[:200]
    page = case_list_inbox(
        unit_id=selected.pk, filter_name=filter_name, query=query, cursor=request.GET.get("cursor", "")
    )
    return render(
        request,
        "cases/staff_inbox.html",
        {
            "title": _("Caixa de entrada"),
            "units": units,
            "unit": selected,
            "filter_name": filter_name,
            "filters": [
                ("todos", _("Em aberto")),
                ("novo", _("Novos")),
                ("em_andamento", _("Em andamento")),
                ("aguardando_cidadao", _("Aguardando o cidadão")),
                ("atrasado", _("Atrasados")),
                ("concluido", _("Concluídos")),
            ],
            "counts": case_counts_by_filter(unit_id=selected.pk),
            "query": query,
            "page": page,
            "is_manager": selected.pk in user_managed_unit_ids(request.user),
        },
    )


ACTION_FORMS: dict[str, type] = {
    "despachar": DispatchForm,
    "tramitar": ForwardForm,
    "solicitar-informacoes": InformationRequestForm,
    "concluir": CloseForm,
    "reabrir": ReopenForm,
    "atribuir": AssignForm,
}


def _staff_case_context(
    request: HttpRequest, case: Any, forms: dict[str, Any] | None = None
) -> dict[str, Any]:
    from tenant_apps.notifications.enums import SubjectKind
    from tenant_apps.notifications.selectors import notification_list_for_subject

    forms = forms or {}
    can_act = case_user_can_act(user=request.user, case=case)
    is_manager = case.current_unit_id in user_managed_unit_ids(request.user)
    forward_form = forms.get("tramitar") or ForwardForm()
    other_units = OrgUnit.objects.filter(is_active=True).exclude(pk=case.current_unit_id)
    forward_form.fields["to_unit"].queryset = other_units  # type: ignore[union-attr]
    assign_form = forms.get("atribuir") or AssignForm()
    unit_staff = User.objects.filter(
        pk__in=Membership.objects.filter(unit_id=case.current_unit_id).values("user_id"), is_active=True
    ).order_by("full_name")
    assign_form.fields["assignee"].widget.choices = [(user.pk, user.full_name) for user in unit_staff]
    return {
        "title": _("Protocolo %(nup)s") % {"nup": case.nup},
        "case": case,
        "events": case_events_visible(case=case, user=request.user),
        "documents": case_documents(case=case),
        "pending": case_pending_information_request(case=case),
        "notifications": notification_list_for_subject(subject_kind=SubjectKind.CASE, subject_id=case.pk),
        "can_act": can_act,
        "is_manager": is_manager,
        "is_closed": case.status == CaseStatus.CLOSED,
        "dispatch_form": forms.get("despachar") or DispatchForm(),
        "forward_form": forward_form,
        "information_form": forms.get("solicitar-informacoes") or InformationRequestForm(),
        "close_form": forms.get("concluir") or CloseForm(),
        "reopen_form": forms.get("reabrir") or ReopenForm(),
        "attach_form": AttachForm(),
        "assign_form": assign_form,
    }


@require_GET
@staff_required
def staff_case(request: HttpRequest, nup: str) -> HttpResponse:
    case = case_get_for_staff(user=request.user, digits=nup)
    return render(request, "cases/staff_case.html", _staff_case_context(request, case))


def _run_action(action: str, request: HttpRequest, case: Any, form: Any) -> Callable[[], Any]:
    data = form.cleaned_data
    actor = account(request.user)
    if action == "despachar":
        return lambda: services.case_dispatch(
            case=case,
            actor=actor,
            text=data["text"],
            is_public=data["is_public"],
            otp_token=data.get("otp_token", ""),
        )
    if action == "tramitar":
        return lambda: services.case_forward(
            case=case, actor=actor, to_unit=data["to_unit"], note=data["note"]
        )
    if action == "solicitar-informacoes":
        return lambda: services.case_request_information(case=case, actor=actor, question=data["question"])
    if action == "concluir":
        return lambda: services.case_close(
            case=case, actor=actor, answer=data["answer"], otp_token=data.get("otp_token", "")
        )
    if action == "reabrir":
        return lambda: services.case_reopen(case=case, actor=actor, reason=data["reason"])
    assignee = User.objects.filter(pk=data["assignee"], kind=UserKind.STAFF).first()
    if assignee is None:
        raise ApplicationError(_("Escolha um servidor da unidade."))
    return lambda: services.case_assign(case=case, actor=actor, assignee=assignee)


@require_POST
@staff_required
def staff_case_action(request: HttpRequest, nup: str, action: str) -> HttpResponse:
    case = case_get_for_staff(user=request.user, digits=nup)
    if action == "anexar":
        uploads = uploads_from_files(
            request.FILES, {"arquivos": request.POST.get("descricao", "")[:200] or _("Documento juntado")}
        )
        try:
            services.case_attach(case=case, actor=account(request.user), uploads=uploads)
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            messages.error(request, error.message)
            return render(request, "cases/staff_case.html", _staff_case_context(request, case), status=400)
        messages.success(request, _("Documentos juntados ao protocolo."))
        return redirect("cases:staff_case", nup=nup)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if form_class is ForwardForm:
        form.fields["to_unit"].queryset = OrgUnit.objects.filter(is_active=True)  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            _run_action(action, request, case, form)()
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Protocolo atualizado."))
            if action == "tramitar" and not case_user_can_act(
                user=request.user, case=case_get_for_staff(user=request.user, digits=nup)
            ):
                return redirect("cases:staff_inbox")
            return redirect("cases:staff_case", nup=nup)
    case.refresh_from_db()
    return render(
        request, "cases/staff_case.html", _staff_case_context(request, case, {action: form}), status=400
    )


@require_GET
@staff_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """Open a case at the counter (balcão) or for the unit: choose the service."""
    from tenant_apps.catalog.models import Service

    services_all = Service.objects.filter(is_active=True).select_related("unit").order_by("group", "name")
    return render(request, "cases/staff_new.html", {"title": _("Abrir protocolo"), "services": services_all})


@require_http_methods(["GET", "POST"])
@staff_required
def staff_new_service(request: HttpRequest, code: str) -> HttpResponse:
    from tenant_apps.accounts.services import citizen_ensure_at_counter

    from .enums import CaseChannel
    from .forms import CounterRequesterForm

    service = service_get_with_form(code=code, public_only=False)
    if service is None:
        raise Http404
    form_class = service_request_form_class(service)
    requester_form = CounterRequesterForm(request.POST or None, prefix="requerente")
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and requester_form.is_valid() and form.is_valid():
        requester = requester_form.cleaned_data
        answers = service_request_read(service=service, form=form, files=request.FILES)
        try:
            with transaction.atomic():
                citizen = None
                if requester["cpf"]:
                    citizen = citizen_ensure_at_counter(
                        cpf=requester["cpf"],
                        full_name=requester["full_name"],
                        email=requester["email"],
                        phone=requester["phone"],
                    )
                elif service.is_public:
                    raise ApplicationError(_("Informe o CPF do requerente."), extra={"field": "cpf"})
                case = services.case_open(
                    service=service,
                    opened_by=account(request.user),
                    citizen=citizen,
                    channel=CaseChannel.STAFF,
                    subject=answers.subject,
                    description=answers.description,
                    form_data=answers.form_data,
                    uploads=answers.uploads,
                )
        except PASS_THROUGH:
            raise
        except ApplicationError as error:
            field = error.extra.get("field")
            if field in requester_form.fields:
                requester_form.add_error(field, error.message)
            else:
                form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Protocolo %(nup)s aberto.") % {"nup": case.nup})
            return redirect("cases:staff_case", nup=services.nup_digits(nup=case.nup))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/staff_new_service.html",
        {"title": service.name, "service": service, "form": form, "requester_form": requester_form},
        status=status,
    )


@require_GET
@staff_required
def staff_deadlines(request: HttpRequest) -> HttpResponse:
    if not user_managed_unit_ids(request.user):
        raise Http404
    cases = list(case_deadlines_for_manager(user=request.user)[:200])
    return render(
        request, "cases/staff_deadlines.html", {"title": _("Prazos das minhas unidades"), "cases": cases}
    )


# --- the requester signs with gov.br --------------------------------------------------------------------
# On their own case, a citizen signs with gov.br (advanced, Lei 14.063/2020, art. 4º, II) a document
# they wrote themselves: the request (requerimento, a declaration) or what they sent later. The flow is
# signatures' (state in the session, used once; the certificate's CPF must be the citizen's; a bronze
# account gets the page on raising its level and nothing is signed).

CITIZEN_GOVBR_SESSION_KEY = "cases_govbr_sign"


def _citizen_signable(request: HttpRequest, nup: str, document_id: int) -> tuple[Any, Any]:
    case = case_get_for_citizen(user=request.user, digits=nup)
    document = case_document_for_requester(case=case, document_id=document_id)
    if document.author_id != request.user.pk:
        raise Http404
    return case, document


@require_POST
def citizen_govbr_sign_start(request: HttpRequest, nup: str, document_id: int) -> HttpResponse:
    from tenant_apps.signatures.forms import GovBrStartForm
    from tenant_apps.signatures.govbr import govbr_enabled
    from tenant_apps.signatures.views import govbr_redirect

    if not request.user.is_authenticated:
        return redirect_to_login(
            reverse("cases:citizen_case", kwargs={"nup": nup}), reverse("accounts:login")
        )
    if not govbr_enabled():
        raise Http404
    case, document = _citizen_signable(request, nup, document_id)
    form = GovBrStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Não foi possível iniciar a assinatura gov.br deste documento."))
        return redirect("cases:citizen_case", nup=nup)
    pending = {
        "document_id": document.pk,
        "nup": nup,
        "expected_version": form.cleaned_data["expected_version"],
    }
    return govbr_redirect(
        request,
        pending,
        session=False,
        callback_name="cases:citizen_govbr_sign_callback",
        session_key=CITIZEN_GOVBR_SESSION_KEY,
    )


@require_GET
def citizen_govbr_sign_callback(request: HttpRequest) -> HttpResponse:
    """Back from gov.br: sign the citizen's document, or say why nothing was signed."""
    from tenant_apps.signatures.govbr import GovBrLevelError, govbr_enabled
    from tenant_apps.signatures.services import govbr_session_open, signature_sign_govbr_citizen
    from tenant_apps.signatures.views import govbr_level_page, govbr_pending_pop

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    if not govbr_enabled():
        raise Http404
    pending = govbr_pending_pop(request, CITIZEN_GOVBR_SESSION_KEY)
    if pending is None:
        messages.error(request, _("Esta autorização gov.br não é a que foi pedida aqui; nada foi assinado."))
        return redirect("portal:my_requests")
    nup = str(pending["nup"])
    back = reverse("cases:citizen_case", kwargs={"nup": nup})
    code = request.GET.get("code", "")
    if not code:
        messages.warning(request, _("A assinatura gov.br foi cancelada; nada foi assinado."))
        return redirect(back)
    try:
        _case, document = _citizen_signable(request, nup, int(pending["document_id"]))
        govbr_session = govbr_session_open(
            signer=request.user,  # type: ignore[arg-type]
            code=code,
            redirect_uri=request.build_absolute_uri(reverse("cases:citizen_govbr_sign_callback")),
            session=False,
        )
        signature_sign_govbr_citizen(
            document=document,
            citizen=request.user,  # type: ignore[arg-type]
            govbr_session=govbr_session,
            expected_version=int(pending["expected_version"]),
        )
    except GovBrLevelError as error:
        return govbr_level_page(request, error, back)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _("Documento assinado com gov.br (assinatura avançada)."))
    return redirect(back)
