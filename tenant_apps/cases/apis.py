"""The Protocolo over REST: citizens open and follow their cases; staff work their unit's inbox.

Every endpoint reads through the selectors (a case outside the caller's scope is a 404) and
writes through the services, which decide who may act (403) and which business rules refuse
the request (400, field by field when the rule is about one field).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import APIView

from paco.errors import PASS_THROUGH, ApplicationError, api_error_responses
from paco.pagination import PAGE_SIZE_MAX, PageParameters, next_field
from paco.parsers import query_data
from tenant_apps.accounts.api_auth import IsCitizen, IsCitizenOrVerifiedStaff, IsVerifiedStaff
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import staff_active_by_email
from tenant_apps.accounts.types import Viewer, account
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.selectors import service_get_with_form
from tenant_apps.documents.uploads import Upload
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import unit_among, unit_by_acronym, user_unit_ids

from .enums import CaseChannel, CaseStatus, EventKind
from .models import Case
from .selectors import (
    INBOX_FILTERS,
    INBOX_PAGE_SIZE,
    case_events_visible,
    case_get_visible,
    case_list_inbox,
    case_list_visible,
)
from .services import (
    case_answer_information,
    case_assign,
    case_attach,
    case_close,
    case_dispatch,
    case_forward,
    case_open,
    case_reopen,
    case_request_information,
    nup_digits,
)

TAGS = ["protocolos"]
NUP_PARAMETER = OpenApiParameter(
    "nup",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Os 17 dígitos do NUP (10005000001202655) ou o NUP formatado, codificado na URL "
    "(10005.000001%2F2026-55).",
)
UPLOAD_FIELD_NAMES = {"uploads": "anexos", "file": "anexos"}


ERROR_RESPONSES = api_error_responses(
    bad_request='Dados recusados: `{"campo": ["mensagem"]}` por campo (respostas do formulário em '
    '`form_data`), ou `{"message": "..."}` quando uma regra do protocolo impede a operação.',
    not_found="Protocolo inexistente ou fora do seu alcance.",
)


# --- fields -----------------------------------------------------------------------------------


class TextField(serializers.CharField):
    default_error_messages = {
        **serializers.CharField.default_error_messages,
        "blank": _("Este campo não pode ficar em branco."),
    }


class DefaultTrueBooleanField(serializers.BooleanField):
    """An omitted multipart field keeps the default (True) instead of meaning an unticked box."""

    default_empty_html = empty


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    default_error_messages = {
        **serializers.FileField.default_error_messages,
        "invalid": _("O valor enviado não é um arquivo: envie como multipart/form-data."),
        "empty": _("O arquivo enviado está vazio."),
    }


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Respostas do formulário do serviço, por chave do campo. Em multipart, um texto "
        "JSON ou partes `form_data.<chave>`.",
    }
)
class FormDataField(serializers.DictField):
    """A JSON object; in multipart, a JSON text or one `form_data.<key>` part per answer."""

    default_error_messages = {
        **serializers.DictField.default_error_messages,
        "invalid_json": _("Envie um objeto JSON válido."),
    }

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid_json")
        return super().to_internal_value(data)


class UploadsInputSerializer(serializers.Serializer):
    """Files in `anexos`, each labelled by the `rotulos` sent in the same order."""

    anexos = serializers.ListField(
        child=UploadField(), required=False, default=list, help_text="Arquivos (multipart/form-data)."
    )
    rotulos = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        default=list,
        help_text="Rótulo de cada arquivo, na mesma ordem; para documentos exigidos pelo serviço, use "
        "o nome do documento.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs["rotulos"]) > len(attrs["anexos"]):
            raise serializers.ValidationError({"rotulos": [_("Há mais rótulos do que arquivos.")]})
        return attrs


def uploads_from(data: dict[str, Any]) -> list[Upload]:
    files: Sequence[UploadedFile] = data["anexos"]
    labels: Sequence[str] = data["rotulos"]
    return [
        Upload(name=file.name or "arquivo", file=file, label=labels[index] if index < len(labels) else "")
        for index, file in enumerate(files)
    ]


@contextmanager
def api_fields(renames: dict[str, str], *, form_keys: frozenset[str] = frozenset()) -> Iterator[None]:
    """Name a service's field errors as the API names its fields (form answers under `form_data`)."""
    try:
        yield
    except PASS_THROUGH:
        raise
    except ApplicationError as error:
        field = error.extra.get("field")
        if field in form_keys:
            raise serializers.ValidationError({"form_data": {field: [error.message]}}) from error
        if field in renames:
            raise ApplicationError(error.message, extra={**error.extra, "field": renames[field]}) from error
        raise


# --- output -----------------------------------------------------------------------------------


class CaseUnitSerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()


class CaseServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


INTERNAL_PAYLOAD_KEYS = {"note", "assignee"}


class CaseEventSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    occurred_at = serializers.DateTimeField()
    actor_name = serializers.CharField()
    unit = serializers.CharField(source="unit.acronym", allow_null=True)
    summary = serializers.CharField()
    payload = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()

    @extend_schema_field(serializers.DictField())
    def get_payload(self, event: Any) -> dict[str, Any]:
        """Staff see everything; the requester does not see internal notes written on moves."""
        if self.context.get("is_staff"):
            return dict(event.payload)
        return {key: value for key, value in event.payload.items() if key not in INTERNAL_PAYLOAD_KEYS}

    hash = serializers.CharField(help_text="SHA-256 encadeado ao registro anterior do histórico.")


class CaseSummarySerializer(serializers.Serializer):
    nup = serializers.CharField()
    nup_digits = serializers.SerializerMethodField()
    subject = serializers.CharField()
    service = CaseServiceSerializer()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    unit = CaseUnitSerializer(source="current_unit")
    deadline = serializers.DateField()
    is_overdue = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()
    last_event_at = serializers.DateTimeField()

    def get_nup_digits(self, case: Case) -> str:
        return nup_digits(nup=case.nup)

    def get_is_overdue(self, case: Case) -> bool:
        return (
            case.status != CaseStatus.CLOSED
            and case.paused_since is None
            and case.deadline < timezone.localdate()
        )


class CaseAssigneeSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    email = serializers.EmailField()


class CaseDetailSerializer(CaseSummarySerializer):
    """A case with its visible history (a citizen sees only the public entries)."""

    description = serializers.CharField()
    form_data = serializers.DictField()
    opening_unit = CaseUnitSerializer()
    paused_since = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    final_answer = serializers.CharField()
    pending_question = serializers.SerializerMethodField(
        help_text="Pergunta da prefeitura que aguarda a resposta do requerente."
    )
    assigned_to = serializers.SerializerMethodField(help_text="Só para servidores; null para o cidadão.")
    history = serializers.SerializerMethodField()

    def get_pending_question(self, case: Case) -> str | None:
        return self.context["pending_question"]

    @extend_schema_field(CaseAssigneeSerializer(allow_null=True))
    def get_assigned_to(self, case: Case) -> dict[str, Any] | None:
        if not self.context["is_staff"] or case.assigned_to is None:
            return None
        return dict(CaseAssigneeSerializer(case.assigned_to).data)

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_history(self, case: Case) -> list[Any]:
        return list(CaseEventSerializer(self.context["history"], many=True, context=self.context).data)


def case_detail_data(case: Case, user: Viewer) -> dict[str, Any]:
    pending = case.information_requests.filter(answered_at__isnull=True).order_by("created_at", "id").first()
    context = {
        "history": case_events_visible(case=case, user=user),
        "pending_question": pending.question if pending else None,
        "is_staff": getattr(user, "kind", None) == UserKind.STAFF,
    }
    return dict(CaseDetailSerializer(case, context=context).data)


def case_refetch(case: Case, user: Viewer) -> Case:
    """The case as the caller may now see it, with its related rows (after a service changed it)."""
    return case_get_visible(user=user, nup=case.nup)


class CaseActionApi(APIView):
    """Staff acting on a case of their unit: every action answers with the updated case."""

    permission_classes = [IsVerifiedStaff]
    OutputSerializer = CaseDetailSerializer

    def respond(self, request: Request, case: Case) -> Response:
        return Response(case_detail_data(case_refetch(case, request.user), request.user))


# --- collection: list and open ------------------------------------------------------------------


class CaseListApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]

    class FilterSerializer(PageParameters):
        unidade = serializers.CharField(
            required=False,
            max_length=40,
            help_text="Sigla de uma unidade do servidor: lista a caixa de entrada dela.",
        )
        situacao = serializers.ChoiceField(
            choices=INBOX_FILTERS,
            required=False,
            default="todos",
            help_text="Na caixa de entrada, “todos” são os não concluídos; sem unidade, todos mesmo.",
        )
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
        limit = serializers.IntegerField(
            required=False,
            default=INBOX_PAGE_SIZE,
            min_value=1,
            max_value=PAGE_SIZE_MAX,
            help_text="Itens por página.",
        )

    class OutputSerializer(serializers.Serializer):
        results = CaseSummarySerializer(many=True)
        next = next_field()

        class Meta:
            ref_name = "CaseListOutput"

    @extend_schema(
        operation_id="case_list",
        summary="Protocolos visíveis ou caixa de entrada de uma unidade",
        description="O cidadão vê os próprios protocolos; o servidor, os das suas unidades. Com "
        "`unidade`, a caixa de entrada da unidade (movimentação mais recente primeiro).",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = CaseListApi.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if params.get("unidade"):
            unit = unit_among(unit_ids=user_unit_ids(request.user), acronym=params["unidade"])
            if unit is None:
                raise Http404
            page = case_list_inbox(
                unit_id=unit.pk,
                filter_name=params["situacao"],
                query=params["q"],
                cursor=params["cursor"],
                page_size=params["limit"],
            )
        else:
            page = case_list_visible(
                user=request.user,
                filter_name=params["situacao"],
                query=params["q"],
                cursor=params["cursor"],
                page_size=params["limit"],
            )
        output = CaseListApi.OutputSerializer({"results": page.cases, "next": page.next_cursor})
        return Response(output.data)


class CaseOpenApi(APIView):
    permission_classes = [IsCitizen]

    class InputSerializer(UploadsInputSerializer):
        service = serializers.SlugField(help_text="Código do serviço na carta de serviços.")
        subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
        description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
        form_data = FormDataField(required=False, default=dict)

        class Meta:
            ref_name = "CaseOpenInput"

        def validate_service(self, code: str) -> Service:
            service = service_get_with_form(code=code)
            if service is None:
                raise serializers.ValidationError(_("Serviço não encontrado na carta de serviços."))
            if getattr(service, "permit_kind", None) is not None:
                # a permit kind (tenant_apps.permits): its own checks, risk level and gov.br level
                raise serializers.ValidationError(
                    _("Este serviço é um alvará: peça por POST /api/v1/permits/requests/ (tipo “%(code)s”).")
                    % {"code": service.code}
                )
            return service

    OutputSerializer = CaseDetailSerializer

    @extend_schema(
        operation_id="case_open",
        summary="Abrir um protocolo",
        description="JSON sem arquivos, ou multipart/form-data com os arquivos em `anexos` e os "
        "rótulos em `rotulos` (na mesma ordem; o rótulo de um documento exigido é o nome dele).",
        request={
            "application/json": InputSerializer,
            "multipart/form-data": InputSerializer,
        },
        responses={201: OutputSerializer, **ERROR_RESPONSES},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = CaseOpenApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        service: Service = data["service"]
        form_keys = frozenset(field.key for field in service.fields.all())
        with api_fields(UPLOAD_FIELD_NAMES, form_keys=form_keys):
            case = case_open(
                service=service,
                opened_by=account(request.user),
                form_data=data["form_data"],
                subject=data["subject"],
                description=data["description"],
                uploads=uploads_from(data),
                channel=CaseChannel.API,
            )
        detail = case_detail_data(case_refetch(case, request.user), request.user)
        return Response(detail, status=status.HTTP_201_CREATED)


class CaseCollectionApi(APIView):
    """`cases/`: GET is `CaseListApi`, POST is `CaseOpenApi` (one URL, two endpoints)."""

    get = CaseListApi.get
    post = CaseOpenApi.post

    def get_permissions(self) -> Any:
        api = CaseOpenApi if self.request.method == "POST" else CaseListApi
        return [permission() for permission in api.permission_classes]


# --- one case -----------------------------------------------------------------------------------


class CaseDetailApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]
    OutputSerializer = CaseDetailSerializer

    @extend_schema(
        operation_id="case_detail",
        summary="Um protocolo, com o histórico visível",
        parameters=[NUP_PARAMETER],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=TAGS,
    )
    def get(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        return Response(case_detail_data(case, request.user))


class CaseHistoryApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]
    OutputSerializer = CaseEventSerializer

    @extend_schema(
        operation_id="case_history",
        summary="Histórico do protocolo",
        description="Registros encadeados por SHA-256; o cidadão vê só os públicos.",
        parameters=[NUP_PARAMETER],
        responses={200: OutputSerializer(many=True), **ERROR_RESPONSES},
        tags=TAGS,
    )
    def get(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        events: Any = case_events_visible(case=case, user=request.user)
        context = {"is_staff": getattr(request.user, "kind", None) == UserKind.STAFF}
        return Response(self.OutputSerializer(events, many=True, context=context).data)


def _action_schema(operation_id: str, summary: str, input_serializer: Any, *, files: bool = False) -> Any:
    request: dict[str, Any] = {"application/json": input_serializer}
    if files:
        request = {"multipart/form-data": input_serializer}
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[NUP_PARAMETER],
        request=request,
        responses={200: CaseDetailSerializer, **ERROR_RESPONSES},
        tags=TAGS,
    )


class CaseForwardApi(CaseActionApi):
    class InputSerializer(serializers.Serializer):
        to_unit = TextField(max_length=40, help_text="Sigla da unidade de destino.")
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

        class Meta:
            ref_name = "CaseForwardInput"

        def validate_to_unit(self, acronym: str) -> OrgUnit:
            unit = unit_by_acronym(acronym=acronym)
            if unit is None:
                raise serializers.ValidationError(_("Unidade não encontrada."))
            return unit

    @_action_schema("case_forward", "Tramitar para outra unidade", InputSerializer)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case_forward(case=case, actor=account(request.user), to_unit=data["to_unit"], note=data["note"])
        return self.respond(request, case)


class CaseDispatchApi(CaseActionApi):
    class InputSerializer(serializers.Serializer):
        text = TextField(max_length=20000)
        is_public = DefaultTrueBooleanField(
            required=False, default=True, help_text="Visível para o requerente (padrão: sim)."
        )

        class Meta:
            ref_name = "CaseDispatchInput"

    @_action_schema("case_dispatch", "Despachar", InputSerializer)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case_dispatch(case=case, actor=account(request.user), text=data["text"], is_public=data["is_public"])
        return self.respond(request, case)


class CaseAttachApi(CaseActionApi):
    class InputSerializer(UploadsInputSerializer):
        anexos = serializers.ListField(child=UploadField(), help_text="Arquivos (multipart/form-data).")
        is_public = DefaultTrueBooleanField(
            required=False, default=True, help_text="Visível para o requerente (padrão: sim)."
        )

        class Meta:
            ref_name = "CaseAttachInput"

    @_action_schema("case_attach", "Juntar documentos", InputSerializer, files=True)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with api_fields(UPLOAD_FIELD_NAMES):
            case_attach(
                case=case,
                actor=account(request.user),
                uploads=uploads_from(data),
                is_public=data["is_public"],
            )
        return self.respond(request, case)


class CaseRequestInformationApi(CaseActionApi):
    class InputSerializer(serializers.Serializer):
        question = TextField(max_length=5000)

        class Meta:
            ref_name = "CaseRequestInformationInput"

    @_action_schema("case_request_information", "Pedir informações ao requerente", InputSerializer)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_request_information(
            case=case, actor=account(request.user), question=serializer.validated_data["question"]
        )
        return self.respond(request, case)


class CaseAnswerApi(CaseActionApi):
    permission_classes = [IsCitizen]

    class InputSerializer(UploadsInputSerializer):
        answer = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

        class Meta:
            ref_name = "CaseAnswerInput"

    @_action_schema("case_answer", "Responder ao pedido de informações", InputSerializer, files=True)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with api_fields(UPLOAD_FIELD_NAMES):
            case_answer_information(
                case=case, citizen=account(request.user), answer=data["answer"], uploads=uploads_from(data)
            )
        return self.respond(request, case)


class CaseCloseApi(CaseActionApi):
    class InputSerializer(serializers.Serializer):
        answer = TextField(max_length=20000, help_text="Resposta final ao requerente.")

        class Meta:
            ref_name = "CaseCloseInput"

    @_action_schema("case_close", "Concluir com a resposta final", InputSerializer)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_close(case=case, actor=account(request.user), answer=serializer.validated_data["answer"])
        return self.respond(request, case)


class CaseReopenApi(CaseActionApi):
    class InputSerializer(serializers.Serializer):
        reason = TextField(max_length=5000)

        class Meta:
            ref_name = "CaseReopenInput"

    @_action_schema("case_reopen", "Reabrir", InputSerializer)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_reopen(case=case, actor=account(request.user), reason=serializer.validated_data["reason"])
        return self.respond(request, case)


class CaseAssignApi(CaseActionApi):
    class InputSerializer(serializers.Serializer):
        assignee = serializers.EmailField(help_text="E-mail do servidor da unidade.")

        class Meta:
            ref_name = "CaseAssignInput"

        def validate_assignee(self, email: str) -> User:
            address = email.strip().lower()
            user = staff_active_by_email(emails=[address]).get(address)
            if user is None:
                raise serializers.ValidationError(_("Não há servidor ativo com este e-mail."))
            return user

    @_action_schema("case_assign", "Atribuir a um servidor (gestor da unidade)", InputSerializer)
    def post(self, request: Request, nup: str) -> Response:
        case = case_get_visible(user=request.user, nup=nup)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_assign(case=case, actor=account(request.user), assignee=serializer.validated_data["assignee"])
        return self.respond(request, case)
