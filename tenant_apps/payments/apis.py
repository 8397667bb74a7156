"""REST: guides (`/api/v1/payments/guides/...`) and the provider's webhook (`/api/v1/payments/webhook/`).

Staff (second factor passed) see every guide of the city; a citizen sees the guides issued to
their account. The webhook is called by the city's PSP, not by a person: it is authenticated by
the city's shared secret (HMAC-SHA256 of the body in `X-Paco-Signature`), not by a session or token.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import api_error_responses
from paco.parsers import query_data
from paco.throttling import AddressRateThrottle
from tenant_apps.accounts.api_auth import IsCitizenOrVerifiedStaff
from tenant_apps.accounts.enums import UserKind

from . import purposes
from .enums import GuideStatus
from .models import PaymentGuide
from .selectors import guide_list
from .services import SIGNATURE_HEADER, WebhookMalformed, WebhookRefused, webhook_receive

TAGS = ["pagamentos (Pix)"]
ERROR_RESPONSES = api_error_responses(
    bad_request="Filtro inválido.", not_found="Guia inexistente nesta prefeitura, ou de outra pessoa."
)
PAGE_SIZE = 50


class GuideSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", help_text="Número da guia: NNNNNN/AAAA.")
    purpose_label = serializers.SerializerMethodField(help_text="Finalidade, por extenso.")
    payer_document = serializers.CharField(
        source="payer_document_masked", help_text="CPF mascarado (***.456.789-**) ou CNPJ."
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    br_code = serializers.CharField(help_text="Pix copia e cola (BR Code).")

    class Meta:
        model = PaymentGuide
        ref_name = "PaymentGuide"
        fields = [
            "number",
            "year",
            "purpose",
            "purpose_label",
            "reference",
            "payer_name",
            "payer_document",
            "amount",
            "description",
            "due_date",
            "status",
            "txid",
            "br_code",
            "paid_at",
            "paid_amount",
        ]

    def get_purpose_label(self, guide: PaymentGuide) -> str:
        return purposes.label_for(guide.purpose)


def _visible(request: Request) -> QuerySet[PaymentGuide]:
    user: Any = request.user
    if getattr(user, "kind", None) == UserKind.STAFF:
        return PaymentGuide.objects.all()
    return PaymentGuide.objects.filter(owner_id=user.pk)


class GuideListApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]

    class FilterSerializer(serializers.Serializer):
        situacao = serializers.ChoiceField(choices=GuideStatus.choices, required=False, default="")
        finalidade = serializers.CharField(required=False, default="", max_length=60)
        ano = serializers.IntegerField(required=False, min_value=2000, max_value=2100, default=None)
        q = serializers.CharField(
            required=False,
            default="",
            allow_blank=True,
            max_length=100,
            help_text="Número, referência ou nome.",
        )
        cursor = serializers.RegexField(
            r"^\d{4}\.\d{1,9}$",
            required=False,
            default="",
            allow_blank=True,
            help_text="O `next` da página anterior.",
        )

    class OutputSerializer(serializers.Serializer):
        results = GuideSerializer(many=True)
        next = serializers.CharField(allow_null=True, help_text="Cursor da próxima página, ou null.")

        class Meta:
            ref_name = "PaymentGuideListOutput"

    @extend_schema(
        operation_id="payments_guide_list",
        summary="Guias de pagamento (DAM), mais recentes primeiro",
        description="O servidor vê as guias da prefeitura; o cidadão, as emitidas para a sua conta.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = GuideListApi.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        guides = guide_list(
            status=params["situacao"], purpose=params["finalidade"], year=params["ano"], search=params["q"]
        ) & _visible(request)
        if params["cursor"]:
            year, number = (int(part) for part in params["cursor"].split("."))
            guides = guides.filter(Q(year__lt=year) | Q(year=year, number__lt=number))
        page = list(guides.order_by("-year", "-number")[: PAGE_SIZE + 1])
        next_cursor = (
            f"{page[PAGE_SIZE - 1].year}.{page[PAGE_SIZE - 1].number}" if len(page) > PAGE_SIZE else None
        )
        output = GuideListApi.OutputSerializer({"results": page[:PAGE_SIZE], "next": next_cursor})
        return Response(output.data)


class GuideDetailApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]

    @extend_schema(
        operation_id="payments_guide_detail",
        summary="Uma guia de pagamento (DAM) pelo número",
        responses={200: GuideSerializer, **ERROR_RESPONSES},
        tags=TAGS,
    )
    def get(self, request: Request, year: int, number: int) -> Response:
        guide = _visible(request).filter(year=year, number=number).first()
        if guide is None:
            raise Http404
        return Response(GuideSerializer(guide).data)


class PixWebhookApi(APIView):
    """The city's PSP tells us about received Pix (the Banco Central's Pix API webhook shape)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]

    @extend_schema(
        operation_id="payments_pix_webhook",
        summary="Aviso de Pix recebido (webhook do PSP, formato da API Pix do Banco Central)",
        description=(
            'Corpo `{"pix": [{"endToEndId", "txid", "valor", "horario", ...}]}`, assinado com o segredo '
            f"da prefeitura: cabeçalho `{SIGNATURE_HEADER}: sha256=<HMAC-SHA256 do corpo, hex>`. "
            "Idempotente por endToEndId; um Pix de valor diferente do da guia é registrado e não aplicado."
        ),
        request=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True)],
        responses={
            200: inline_serializer(
                "PixWebhookOutput",
                {
                    "recebidos": serializers.IntegerField(),
                    "aplicados": serializers.IntegerField(),
                    "repetidos": serializers.IntegerField(),
                    "nao_aplicados": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Corpo fora do formato da API Pix."),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="Assinatura ausente ou inválida."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="txid que esta prefeitura não emitiu."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        try:
            result = webhook_receive(body=request.body, signature=request.headers.get(SIGNATURE_HEADER, ""))
        except WebhookRefused as error:
            return Response({"detail": error.message}, status=status.HTTP_401_UNAUTHORIZED)
        except WebhookMalformed as error:
            return Response({"detail": error.message}, status=status.HTTP_400_BAD_REQUEST)
        if result.unknown_txids:
            return Response(
                {
                    "detail": _("Cobrança desconhecida nesta prefeitura: txid %(txids)s.")
                    % {"txids": ", ".join(result.unknown_txids)},
                    "txids_desconhecidos": result.unknown_txids,
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(
            {
                "recebidos": result.received,
                "aplicados": result.applied,
                "repetidos": result.duplicates,
                "nao_aplicados": result.not_applied,
            }
        )
