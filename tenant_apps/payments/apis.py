"""REST: guides (`/api/v1/payments/guides/...`) and the provider's webhook (`/api/v1/payments/webhook/`).

Staff (second factor passed) see every guide of the city; a citizen sees the guides issued to
their account. The webhook is called by the city's PSP, not by a person: it is authenticated by
the city's shared secret (HMAC-SHA256 of the body in `X-Paco-Signature`), not by a session or token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
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
from paco.pagination import PageParameters, keyset_page, next_field
from paco.parsers import query_data
from paco.throttling import AddressRateThrottle
from tenant_apps.accounts.api_auth import IsCitizenOrVerifiedStaff
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.types import account

from . import purposes
from .enums import GuideStatus
from .models import PaymentGuide
from .selectors import guide_list
from .services import (
    SIGNATURE_HEADER,
    WebhookMalformed,
    WebhookRefused,
    WebhookResult,
    psp_webhook_receive,
    webhook_receive,
)

TAGS = ["pagamentos (Pix)"]
ERROR_RESPONSES = api_error_responses(
    bad_request="Filtro inválido.", not_found="Guia inexistente nesta prefeitura, ou de outra pessoa."
)


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
    user = account(request.user)
    if user.kind == UserKind.STAFF:
        return PaymentGuide.objects.all()
    return PaymentGuide.objects.filter(owner_id=user.pk)


class GuideListApi(APIView):
    permission_classes = [IsCitizenOrVerifiedStaff]

    class FilterSerializer(PageParameters):
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

    class OutputSerializer(serializers.Serializer):
        results = GuideSerializer(many=True)
        next = next_field()

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
        # the one paging scheme (paco.pagination): newest first, `limit` + `cursor` in, `next` out
        page = keyset_page(guides, key="created_at", cursor=params["cursor"], limit=params["limit"])
        output = GuideListApi.OutputSerializer({"results": page.results, "next": page.next})
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


def _counts(result: WebhookResult) -> dict[str, int]:
    return {
        "recebidos": result.received,
        "aplicados": result.applied,
        "repetidos": result.duplicates,
        "nao_aplicados": result.not_applied,
        "devolucoes": result.refunds,
        "txid_desconhecido": len(result.unknown_txids),
    }


class PspWebhookApi(APIView):
    """The city's PSP tells us about received Pix and their devoluções exactly as the Banco
    Central's Pix API defines it: `POST <registered url>/pix`, authenticated by mutual TLS at the
    ingress (it verifies the PSP's client certificate and passes the outcome in headers it always
    overwrites; docs/operations.md). The certificate's subject must be the one the city's admin set."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]

    @extend_schema(
        operation_id="payments_psp_webhook",
        summary="Aviso de Pix do PSP (POST <url cadastrada>/pix, TLS mútuo, API Pix do Banco Central)",
        description=(
            'Corpo `{"pix": [{"endToEndId", "txid", "valor", "horario", "infoPagador"?, "devolucoes"?}]}`. '
            "Autenticado por TLS mútuo no ingress, que repassa o resultado da verificação e o subject do "
            "certificado do PSP; o subject precisa ser o cadastrado pela prefeitura. Idempotente por "
            "endToEndId; valor divergente registrado e não aplicado; devoluções aplicadas pelo id. Responde "
            "200 a todo aviso registrado (um txid desconhecido fica registrado para conferência), para que o "
            "PSP não o reenvie."
        ),
        request=OpenApiTypes.OBJECT,
        responses={
            200: inline_serializer(
                "PspWebhookOutput",
                {
                    "recebidos": serializers.IntegerField(),
                    "aplicados": serializers.IntegerField(),
                    "repetidos": serializers.IntegerField(),
                    "nao_aplicados": serializers.IntegerField(),
                    "devolucoes": serializers.IntegerField(),
                    "txid_desconhecido": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Corpo fora do formato da API Pix."),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="Sem certificado do PSP reconhecido."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        try:
            result = psp_webhook_receive(
                body=request.body,
                client_verify=request.headers.get(settings.PAYMENTS_WEBHOOK_CLIENT_VERIFY_HEADER, ""),
                client_subject=request.headers.get(settings.PAYMENTS_WEBHOOK_CLIENT_SUBJECT_HEADER, ""),
            )
        except WebhookRefused as error:
            return Response({"detail": error.message}, status=status.HTTP_401_UNAUTHORIZED)
        except WebhookMalformed as error:
            return Response({"detail": error.message}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_counts(result))
