"""Permits over REST (`/api/v1/permits/...`): the catalogue of kinds, the public register, a person's
requests (the requester's own; staff: their units'), a request's checklist result and opinions, and
the actions of the pages: the requester's (terms, insist, files, appeal) and the staff's (opinion,
issuance, the permit's status, the appeal's decision, a file's classification), each calling the same
service as the page's button, scoped as the page scopes. Lists use the one paging scheme
(paco.pagination: `limit` and `cursor` in, `next` out)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import api_error_responses
from paco.pagination import PageParameters, keyset_page, next_field
from paco.viewer import Viewer
from tenant_apps.accounts.api_auth import IsCitizen, IsCitizenOrVerifiedStaff, IsVerifiedStaff
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.types import account
from tenant_apps.cases.apis import FormDataField, UploadsInputSerializer, api_fields, uploads_from

from . import selectors, services
from .enums import PermitStatus, RequestStatus
from .models import Opinion, Permit, PermitRequest


def _page(rows: Any, *, key: str, parameters: Any) -> Any:
    """One page of the one paging scheme (paco.pagination: `limit` + `cursor` in, `next` out)."""
    return keyset_page(rows, key=key, cursor=parameters["cursor"], limit=parameters["limit"])


class KindSerializer(serializers.Serializer):
    code = serializers.CharField(source="service.code")
    name = serializers.CharField(source="service.name")
    kind_type = serializers.CharField()
    uses_activity_risk = serializers.BooleanField()
    decision_days = serializers.IntegerField()
    validity_days = serializers.IntegerField()
    fee_mode = serializers.CharField()
    fee_table = serializers.JSONField()
    checklist = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PermitKind"

    def get_checklist(self, kind: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": item.name,
                "accepted_types": item.accepted_types,
                "max_size_mb": item.max_size_mb,
                "must_be_signed": item.must_be_signed,
                "validity_days": item.validity_days,
                "is_required": item.is_required,
            }
            for item in kind.checklist.all()
        ]


class PermitKindListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="permit_kind_list",
        responses=KindSerializer(many=True),
        summary="Tipos de alvará do município e seus checklists",
    )
    def get(self, request: Request) -> Response:
        kinds = selectors.permit_kind_list_public().prefetch_related("checklist")
        return Response(KindSerializer(kinds, many=True).data)


class RegisterRowSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    activity = serializers.CharField()
    holder = serializers.CharField(
        help_text="Razão social (empresas); vazio para pessoas físicas e MEI (o nome do MEI é o do titular)."
    )
    neighbourhood = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    mode = serializers.CharField()
    verification_code = serializers.CharField()


class PermitRegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    class OutputSerializer(serializers.Serializer):
        results = RegisterRowSerializer(many=True)
        next = next_field()

        class Meta:
            ref_name = "PermitRegisterPage"

    @extend_schema(
        operation_id="permit_register",
        parameters=[PageParameters],
        responses=OutputSerializer,
        summary="Registro público de alvarás emitidos (sem dados pessoais de pessoas físicas)",
    )
    def get(self, request: Request) -> Response:
        query = PageParameters(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = _page(selectors.permit_register(), key="issued_at", parameters=query.validated_data)
        return Response(
            {"results": [selectors.register_row(permit=permit) for permit in page.results], "next": page.next}
        )


class OpinionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.acronym")
    stage = serializers.IntegerField()
    status = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    text = serializers.CharField()


class RequestFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Para corrigir a classificação (`files/{id}/classify/`).")
    name = serializers.CharField(source="attachment.original_name")
    item = serializers.CharField(source="item.name", allow_null=True, default=None)
    item_id = serializers.IntegerField(allow_null=True)
    classified_by = serializers.CharField()
    result = serializers.CharField()
    checks = serializers.JSONField()

    class Meta:
        ref_name = "PermitRequestFile"


class RequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nup = serializers.CharField(source="case.nup")
    kind = serializers.CharField(source="kind.service.code")
    status = serializers.CharField(
        help_text=" · ".join(f"{value}: {label}" for value, label in RequestStatus.choices)
    )
    risk_level = serializers.CharField(help_text="I, II ou III (Decreto 10.178/2019, art. 3º)")
    activities = serializers.ListField(child=serializers.CharField())
    fee_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    fee_paid = serializers.SerializerMethodField()
    insisted = serializers.BooleanField()
    decision_due = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PermitRequest"

    def get_fee_paid(self, request: PermitRequest) -> bool:
        return request.fee_amount <= 0 or request.fee_paid_at is not None


class RequestDetailSerializer(RequestSerializer):
    pre_analysis = serializers.JSONField()
    files = serializers.SerializerMethodField()
    opinions = serializers.SerializerMethodField()
    permit = serializers.SerializerMethodField()
    business_days_to_tacit_approval = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PermitRequestDetail"

    @extend_schema_field(RequestFileSerializer(many=True))
    def get_files(self, request: PermitRequest) -> list[dict[str, Any]]:
        return list(RequestFileSerializer(selectors.request_files_current(request=request), many=True).data)

    def get_opinions(self, request: PermitRequest) -> list[dict[str, Any]]:
        return list(OpinionSerializer(selectors.request_opinions(request=request), many=True).data)

    def get_permit(self, request: PermitRequest) -> dict[str, Any] | None:
        permit = getattr(request, "permit", None)
        if permit is None:
            return None
        return {
            "number": permit.number,
            "status": permit.status,
            "mode": permit.mode,
            "valid_until": permit.valid_until.isoformat() if permit.valid_until else None,
            "verification_code": permit.document.verification_code,
        }

    def get_business_days_to_tacit_approval(self, request: PermitRequest) -> int | None:
        return selectors.decision_countdown(request=request)


def _requests_for(user: Viewer) -> Any:
    if getattr(user, "kind", None) == UserKind.STAFF:
        return selectors.permit_request_list_for_staff(user=user)
    return selectors.permit_request_list_for_citizen(user=user)


class PermitRequestListApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]

    class OutputSerializer(serializers.Serializer):
        results = RequestSerializer(many=True)
        next = next_field()

        class Meta:
            ref_name = "PermitRequestPage"

    @extend_schema(
        operation_id="permit_request_list",
        parameters=[PageParameters],
        responses=OutputSerializer,
        summary="Pedidos de alvará: os seus (requerente) ou os das suas unidades (servidor)",
    )
    def get(self, request: Request) -> Response:
        query = PageParameters(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = _page(_requests_for(request.user), key="created_at", parameters=query.validated_data)
        return Response({"results": RequestSerializer(page.results, many=True).data, "next": page.next})


class PermitRequestSubmitApi(APIView):
    """`POST requests/`: a citizen requests a permit (the same service as the page: the gov.br level
    the city set for the kind, CPF/CNPJ and CNAE checks, risk level, fee guide, pre-analysis job)."""

    permission_classes = [IsCitizen]

    class InputSerializer(UploadsInputSerializer):
        kind = serializers.SlugField(help_text="Código do tipo de alvará (`GET kinds/`).")
        form_data = FormDataField(
            required=False,
            default=dict,
            help_text="Respostas do formulário do tipo: cpf_cnpj, nome_razao_social, mei, cnae, area_m2, "
            "bairro, endereco, data_inicio, data_fim e as que o município acrescentou.",
        )
        accept_terms = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Aceito o termo de ciência e responsabilidade (nível II).",
        )

        class Meta:
            ref_name = "PermitRequestSubmitInput"

        def validate_kind(self, code: str) -> Any:
            kind = selectors.permit_kind_list_public().filter(service__code=code).first()
            if kind is None:
                raise serializers.ValidationError(_("Tipo de alvará não encontrado."))
            return kind

    @extend_schema(
        operation_id="permit_request_submit",
        summary="Pedir um alvará (o nível gov.br exigido pelo município vale também aqui)",
        description="JSON sem arquivos, ou multipart/form-data com os arquivos em `anexos` e os rótulos "
        "em `rotulos` (na mesma ordem): o nome do item do checklist, ou vazio para a classificação "
        "automática. Conta gov.br abaixo do nível exigido: 400 com `message` (qual nível e como "
        'aumentá-lo) e `extra` `{"required": ..., "current": ...}`; nada é gravado.',
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={
            201: RequestDetailSerializer,
            **api_error_responses(bad_request="Pedido recusado", not_found="-"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kind = data["kind"]
        form_keys = frozenset(field.key for field in kind.service.fields.all())
        with api_fields({"uploads": "anexos"}, form_keys=form_keys):
            permit_request = services.permit_request_submit(
                kind=kind,
                citizen=account(request.user),
                form_data=data["form_data"],
                uploads=uploads_from(data),
                accept_terms=data["accept_terms"],
            )
        fresh = selectors.permit_request_get_for_citizen(user=request.user, request_id=permit_request.pk)
        return Response(RequestDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)


class PermitRequestCollectionApi(APIView):
    """`requests/`: GET is `PermitRequestListApi`, POST is `PermitRequestSubmitApi`."""

    get = PermitRequestListApi.get
    post = PermitRequestSubmitApi.post
    InputSerializer = PermitRequestSubmitApi.InputSerializer

    def get_permissions(self) -> Any:
        api = PermitRequestSubmitApi if self.request.method == "POST" else PermitRequestListApi
        return [permission() for permission in api.permission_classes]


class PermitRequestDetailApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]

    @extend_schema(
        operation_id="permit_request_detail",
        responses={
            200: RequestDetailSerializer,
            **api_error_responses(bad_request="-", not_found="Pedido não encontrado"),
        },
        summary="Um pedido: pré-análise por arquivo, pareceres, contagem para aprovação tácita e alvará",
    )
    def get(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _requests_for(request.user).filter(pk=permit_request_id).first()
        if permit_request is None:
            raise Http404
        return Response(RequestDetailSerializer(permit_request).data)


class PermitOpinionApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        opinion = serializers.IntegerField()
        is_favourable = serializers.BooleanField()
        text = serializers.CharField(max_length=5000)

    @extend_schema(
        operation_id="permit_opinion",
        request=InputSerializer,
        responses={
            200: OpinionSerializer,
            **api_error_responses(bad_request="Parecer inválido", not_found="Pedido não encontrado"),
        },
        summary="O parecer de uma unidade sobre o pedido",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = (
            selectors.permit_request_list_for_staff(user=request.user).filter(pk=permit_request_id).first()
        )
        if permit_request is None:
            raise Http404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        opinion = Opinion.objects.filter(pk=values["opinion"], request=permit_request).first()
        if opinion is None:
            raise Http404
        opinion = services.opinion_give(
            opinion=opinion,
            actor=account(request.user),
            is_favourable=values["is_favourable"],
            text=values["text"],
        )
        return Response(OpinionSerializer(opinion).data)


# --- the requester's actions (the same services as the buttons of the request's page) --------------


def _own_request(request: Request, permit_request_id: int) -> PermitRequest:
    """The requester's own request, as the page finds it: another person's request is a 404."""
    return selectors.permit_request_get_for_citizen(user=request.user, request_id=permit_request_id)


def _detail_for_citizen(request: Request, permit_request: PermitRequest) -> Response:
    fresh = selectors.permit_request_get_for_citizen(user=request.user, request_id=permit_request.pk)
    return Response(RequestDetailSerializer(fresh).data)


_REQUESTER_ERRORS = api_error_responses(
    bad_request="Recusado (o pedido não espera esta ação, ou um campo inválido); nada é gravado",
    not_found="Pedido não encontrado (ou de outra pessoa)",
)


class PermitRequestTermsAcceptApi(APIView):
    """`POST requests/{id}/accept-terms/`: level II, the termo de ciência e responsabilidade
    (`services.request_terms_accept`); a request waiting for it is issued at once."""

    permission_classes = [IsCitizen]

    class InputSerializer(serializers.Serializer):
        accept_terms = serializers.BooleanField(
            help_text="true: li e aceito o termo de ciência e responsabilidade do tipo de alvará."
        )

        class Meta:
            ref_name = "PermitTermsAcceptInput"

        def validate_accept_terms(self, value: bool) -> bool:
            if not value:
                raise serializers.ValidationError(_("Aceite o termo de ciência e responsabilidade."))
            return value

    @extend_schema(
        operation_id="permit_request_accept_terms",
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **_REQUESTER_ERRORS},
        summary="Aceitar o termo de ciência e responsabilidade (nível II)",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _own_request(request, permit_request_id)
        self.InputSerializer(data=request.data).is_valid(raise_exception=True)
        services.request_terms_accept(request=permit_request, citizen=account(request.user))
        return _detail_for_citizen(request, permit_request)


class PermitRequestInsistApi(APIView):
    """`POST requests/{id}/insist/`: send a request with pending items on anyway, flagged for staff
    (`services.request_insist`; only a request in "com pendências")."""

    permission_classes = [IsCitizen]

    @extend_schema(
        operation_id="permit_request_insist",
        request=None,
        responses={200: RequestDetailSerializer, **_REQUESTER_ERRORS},
        summary="Enviar o pedido mesmo com pendências (a equipe analisa)",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _own_request(request, permit_request_id)
        services.request_insist(request=permit_request, citizen=account(request.user))
        return _detail_for_citizen(request, permit_request)


class PermitRequestFilesApi(APIView):
    """`POST requests/{id}/files/`: send new or replacement files (`services.request_files_replace`):
    a file labelled with a checklist item's name supersedes that item's file; the pre-analysis runs
    again."""

    permission_classes = [IsCitizen]

    class InputSerializer(UploadsInputSerializer):
        class Meta:
            ref_name = "PermitRequestFilesInput"

    @extend_schema(
        operation_id="permit_request_files",
        description="multipart/form-data: os arquivos em `anexos` e os rótulos em `rotulos` (na mesma "
        "ordem): o nome do item do checklist que o arquivo substitui, ou vazio para a classificação "
        "automática. Só um pedido em pré-análise, com pendências ou aguardando o termo aceita arquivos.",
        request={"multipart/form-data": InputSerializer},
        responses={200: RequestDetailSerializer, **_REQUESTER_ERRORS},
        summary="Enviar ou substituir arquivos do pedido (a pré-análise roda de novo)",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _own_request(request, permit_request_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with api_fields({"uploads": "anexos"}):
            services.request_files_replace(
                request=permit_request,
                citizen=account(request.user),
                uploads=uploads_from(serializer.validated_data),
            )
        return _detail_for_citizen(request, permit_request)


class PermitRequestAppealApi(APIView):
    """`POST requests/{id}/appeal/`: appeal a refusal, once (Lei 9.784/1999, art. 56;
    `services.request_appeal`); the licensing unit decides it."""

    permission_classes = [IsCitizen]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=5000, help_text="As razões do recurso.")

        class Meta:
            ref_name = "PermitAppealInput"

    @extend_schema(
        operation_id="permit_request_appeal",
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **_REQUESTER_ERRORS},
        summary="Recorrer do indeferimento (uma vez)",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _own_request(request, permit_request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_appeal(
            request=permit_request, citizen=account(request.user), text=data.validated_data["text"]
        )
        return _detail_for_citizen(request, permit_request)


# --- the staff's actions (the same services as the staff's page; the services check the unit) ------


def _unit_request(request: Request, permit_request_id: int) -> PermitRequest:
    """A request of the staff member's units, as the staff page finds it (a municipal admin sees the
    city's); anyone else's is a 404."""
    return selectors.permit_request_get_for_staff(user=request.user, request_id=permit_request_id)


class PermitSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    mode = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    verification_code = serializers.CharField(source="document.verification_code")

    class Meta:
        ref_name = "PermitIssued"


_STAFF_ERRORS = api_error_responses(
    bad_request="Recusado (a situação do pedido, a unidade, o código do autenticador, ou um campo "
    "inválido); nada é gravado",
    not_found="Pedido não encontrado nas suas unidades",
)


class PermitIssueApi(APIView):
    """`POST requests/{id}/issue/`: the licensing unit issues and signs the permit after every
    favourable opinion (`services.permit_issue`), at the signature level the kind requires."""

    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        otp_token = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=10,
            help_text="Código do autenticador (TOTP): exigido quando o tipo pede assinatura avançada.",
        )

        class Meta:
            ref_name = "PermitIssueInput"

    @extend_schema(
        operation_id="permit_issue",
        request=InputSerializer,
        responses={201: PermitSerializer, **_STAFF_ERRORS},
        summary="Emitir e assinar o alvará (unidade licenciadora; assinatura avançada com o código TOTP)",
        description="As mesmas regras da página: só a unidade licenciadora do tipo, só depois de todos os "
        "pareceres favoráveis, assinado por quem chama no nível que o tipo exige: avançada pede o código "
        "do autenticador (`otp_token`) desta vez, como na página; um tipo que exige assinatura "
        "qualificada (certificado ICP-Brasil) não é emitido pela API nem pela página.",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _unit_request(request, permit_request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        permit = services.permit_issue(
            request=permit_request,
            actor=account(request.user),
            otp_token=data.validated_data.get("otp_token", ""),
        )
        return Response(PermitSerializer(permit).data, status=status.HTTP_201_CREATED)


class PermitStatusApi(APIView):
    """`POST requests/{id}/permit-status/`: the licensing unit suspends, revokes (cassa) or reinstates
    the permit, with a reason (`services.permit_status_set`); /verificar/ shows it."""

    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[
                (PermitStatus.SUSPENDED, _("Suspender")),
                (PermitStatus.REVOKED, _("Cassar")),
                (PermitStatus.VALID, _("Reativar")),
            ],
            help_text="suspenso, cassado (definitivo) ou vigente (reativar um suspenso).",
        )
        reason = serializers.CharField(max_length=2000, help_text="O motivo, mostrado em /verificar/.")

        class Meta:
            ref_name = "PermitStatusInput"

    @extend_schema(
        operation_id="permit_status_set",
        request=InputSerializer,
        responses={200: PermitSerializer, **_STAFF_ERRORS},
        summary="Suspender, cassar ou reativar o alvará, com o motivo (unidade licenciadora)",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _unit_request(request, permit_request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        permit = Permit.objects.filter(request=permit_request).first()
        if permit is None:
            raise services.PermitError(str(_("Este pedido ainda não tem alvará.")))
        values: dict[str, Any] = data.validated_data
        permit = services.permit_status_set(
            permit=permit, actor=account(request.user), status=values["status"], reason=values["reason"]
        )
        return Response(PermitSerializer(permit).data)


class PermitAppealDecideApi(APIView):
    """`POST requests/{id}/appeal-decision/`: the licensing unit decides the appeal
    (`services.appeal_decide`); granting it issues and signs the permit, as issuing does."""

    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        is_granted = serializers.BooleanField(help_text="true: provido (o alvará é emitido).")
        text = serializers.CharField(max_length=5000, help_text="A fundamentação da decisão.")
        otp_token = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=10,
            help_text="Código do autenticador (TOTP), para a assinatura avançada ao prover.",
        )

        class Meta:
            ref_name = "PermitAppealDecisionInput"

    @extend_schema(
        operation_id="permit_appeal_decide",
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **_STAFF_ERRORS},
        summary="Decidir o recurso (unidade licenciadora; provido emite e assina o alvará)",
    )
    def post(self, request: Request, permit_request_id: int) -> Response:
        permit_request = _unit_request(request, permit_request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        services.appeal_decide(
            request=permit_request,
            actor=account(request.user),
            is_granted=values["is_granted"],
            text=values["text"],
            otp_token=values.get("otp_token", ""),
        )
        return Response(RequestDetailSerializer(_unit_request(request, permit_request.pk)).data)


class PermitFileClassifyApi(APIView):
    """`POST requests/{id}/files/{file_id}/classify/`: staff correct the checklist item of one file
    (`services.request_file_classify`; the licensing unit or a unit asked for an opinion)."""

    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        item = serializers.IntegerField(
            allow_null=True,
            help_text="Id do item do checklist do tipo (`GET kinds/`), ou null: não classificado.",
        )

        class Meta:
            ref_name = "PermitFileClassifyInput"

    @extend_schema(
        operation_id="permit_file_classify",
        request=InputSerializer,
        responses={200: RequestFileSerializer, **_STAFF_ERRORS},
        summary="Corrigir o item do checklist de um arquivo do pedido",
    )
    def post(self, request: Request, permit_request_id: int, request_file_id: int) -> Response:
        permit_request = _unit_request(request, permit_request_id)
        request_file = permit_request.files.filter(pk=request_file_id).first()
        if request_file is None:
            raise Http404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item_id = data.validated_data["item"]
        item = None
        if item_id is not None:
            item = permit_request.kind.checklist.filter(pk=item_id).first()
            if item is None:
                raise serializers.ValidationError(
                    {"item": [_("Escolha um item do checklist deste tipo de alvará.")]}
                )
        request_file = services.request_file_classify(
            request_file=request_file, actor=account(request.user), item=item
        )
        fresh = selectors.request_files_current(request=permit_request).filter(pk=request_file.pk).first()
        return Response(RequestFileSerializer(fresh or request_file).data)
