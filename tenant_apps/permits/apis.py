"""Permits over REST (`/api/v1/permits/...`): the catalogue of kinds, the public register, a person's
requests (the requester's own; staff: their units'), a request's checklist result and opinions, and
a unit's opinion. Lists use the one paging scheme (paco.pagination: `limit` and `cursor` in, `next` out)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
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
from .enums import RequestStatus
from .models import Opinion, PermitRequest


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
    holder = serializers.CharField(help_text="Razão social (empresas); vazio para pessoas físicas.")
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

    def get_files(self, request: PermitRequest) -> list[dict[str, Any]]:
        return [
            {
                "name": item.attachment.original_name,
                "item": item.item.name if item.item else None,
                "classified_by": item.classified_by,
                "result": item.result,
                "checks": item.checks,
            }
            for item in selectors.request_files_current(request=request)
        ]

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
