"""Circulars over REST: inboxes, one circular, send, acknowledge, the sender's receipts and reminders."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.pagination import PageParameters, keyset_page, next_field
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.accounts.types import account
from tenant_apps.org.enums import Role
from tenant_apps.org.selectors import user_managed_unit_ids

from ..enums import ReceiptState
from ..models import Circular, CircularReceipt
from ..selectors import (
    circular_get_visible,
    circular_queryset_sent,
    circular_receipt_counts,
    circular_receipt_list,
    circular_receipt_queryset_received,
    circular_user_can_remind,
    circular_user_is_sender,
)
from ..services import circular_acknowledge, circular_open, circular_remind, circular_send
from .common import (
    BOXES,
    ERROR_RESPONSES,
    CommsUnitSerializer,
    own_unit,
    units_from_acronyms,
)

CIRCULAR_TAGS = ["circulares"]
CIRCULAR_ID_PARAMETER = OpenApiParameter("circular_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CircularReceiptStateSerializer(serializers.Serializer):
    opened_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "CircularOwnReceipt"


class CircularSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="document.number")
    subject = serializers.CharField()
    sender_unit = CommsUnitSerializer()
    created_at = serializers.DateTimeField()
    acknowledge_by = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "CircularSummary"


class CircularListItemSerializer(CircularSummarySerializer):
    recipient_count = serializers.IntegerField(allow_null=True, help_text="Só nas enviadas.")
    acknowledged_count = serializers.IntegerField(
        source="acknowledged", allow_null=True, help_text="Só nas enviadas."
    )
    receipt = CircularReceiptStateSerializer(allow_null=True, help_text="Só nas recebidas: a sua ciência.")

    class Meta:
        ref_name = "CircularListItem"


class CircularDetailSerializer(CircularSummarySerializer):
    body = serializers.CharField()
    author_name = serializers.CharField(source="author.full_name")
    recipient_count = serializers.IntegerField()
    is_sender = serializers.BooleanField(help_text="A circular é de uma unidade sua.")
    receipt = CircularReceiptStateSerializer(allow_null=True, help_text="A sua ciência, se você a recebeu.")

    class Meta:
        ref_name = "CircularDetail"


def circular_detail_data(*, user: Any, circular: Circular, receipt: CircularReceipt | None) -> dict[str, Any]:
    circular.is_sender = circular_user_is_sender(user=user, circular=circular)  # type: ignore[attr-defined]
    circular.receipt = receipt  # type: ignore[attr-defined]
    return dict(CircularDetailSerializer(circular).data)


class CircularListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(PageParameters):
        caixa = serializers.ChoiceField(choices=BOXES, required=False, default="recebidos")

    class OutputSerializer(serializers.Serializer):
        results = CircularListItemSerializer(many=True)
        next = next_field()

        class Meta:
            ref_name = "CircularListOutput"

    @extend_schema(
        operation_id="circular_list",
        summary="Circulares recebidas ou enviadas pelas suas unidades",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=CIRCULAR_TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = CircularListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if params["caixa"] == "enviados":
            page = keyset_page(
                circular_queryset_sent(user=request.user),
                key="created_at",
                cursor=params["cursor"],
                limit=params["limit"],
            )
            rows, next_cursor = page.results, page.next
            for circular in rows:
                circular.receipt = None  # type: ignore[attr-defined]
        else:
            received = keyset_page(
                circular_receipt_queryset_received(user=request.user),
                key="circular__created_at",
                cursor=params["cursor"],
                limit=params["limit"],
            )
            rows, next_cursor = [], received.next
            for receipt in received.results:
                circular = receipt.circular
                # a recipient sees their own receipt, not the sender's counts
                circular.receipt = receipt  # type: ignore[attr-defined]
                circular.recipient_count = None  # type: ignore[assignment]
                circular.acknowledged = None  # type: ignore[attr-defined]
                rows.append(circular)
        return Response(CircularListApi.OutputSerializer({"results": rows, "next": next_cursor}).data)


class CircularSendApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=300)
        body = serializers.CharField(max_length=50_000)
        units = serializers.ListField(
            child=serializers.CharField(max_length=40),
            required=False,
            default=list,
            help_text="Siglas das unidades de destino.",
        )
        include_subunits = serializers.BooleanField(required=False, default=False)
        roles = serializers.ListField(
            child=serializers.ChoiceField(choices=Role.choices), required=False, default=list
        )
        everyone = serializers.BooleanField(required=False, default=False, help_text="Todos os servidores.")
        acknowledge_by = serializers.DateField(required=False, allow_null=True, default=None)
        sender_unit = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=40,
            help_text="Sigla da unidade que você gere (obrigatória se gere mais de uma).",
        )

        class Meta:
            ref_name = "CircularSendInput"

    @extend_schema(
        operation_id="circular_send",
        summary="Enviar uma circular (gestor da unidade)",
        description="A ciência de cada destinatário é criada logo depois, em segundo plano.",
        request=InputSerializer,
        responses={201: CircularDetailSerializer, **ERROR_RESPONSES},
        tags=CIRCULAR_TAGS,
    )
    def post(self, request: Request) -> Response:
        managed = user_managed_unit_ids(request.user)
        if not managed:
            raise PermissionDenied(_("Só o gestor da unidade pode enviar circulares em nome dela."))
        serializer = CircularSendApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        circular = circular_send(
            author=account(request.user),
            sender_unit=own_unit(data["sender_unit"], managed),
            subject=data["subject"],
            body=data["body"],
            unit_ids=[unit.pk for unit in units_from_acronyms(data["units"], "units")],
            include_subunits=data["include_subunits"],
            roles=data["roles"],
            everyone=data["everyone"],
            acknowledge_by=data["acknowledge_by"],
        )
        circular = circular_get_visible(user=request.user, circular_id=circular.pk)
        return Response(
            circular_detail_data(user=request.user, circular=circular, receipt=None),
            status=status.HTTP_201_CREATED,
        )


class CircularCollectionApi(APIView):
    """`circulars/`: GET is `CircularListApi`, POST is `CircularSendApi`."""

    permission_classes = [IsVerifiedStaff]
    get = CircularListApi.get
    post = CircularSendApi.post


class CircularDetailApi(APIView):
    permission_classes = [IsVerifiedStaff]
    OutputSerializer = CircularDetailSerializer

    @extend_schema(
        operation_id="circular_detail",
        summary="Uma circular",
        description="Para um destinatário, a primeira leitura registra a abertura (não a ciência).",
        parameters=[CIRCULAR_ID_PARAMETER],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=CIRCULAR_TAGS,
    )
    def get(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        receipt = circular_open(circular=circular, user=account(request.user))
        return Response(circular_detail_data(user=request.user, circular=circular, receipt=receipt))


class CircularAcknowledgeApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        operation_id="circular_acknowledge",
        summary="Dar ciência (destinatário)",
        description="Só o primeiro pedido conta; os seguintes devolvem a mesma ciência.",
        parameters=[CIRCULAR_ID_PARAMETER],
        request=None,
        responses={200: CircularDetailSerializer, **ERROR_RESPONSES},
        tags=CIRCULAR_TAGS,
    )
    def post(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        receipt = circular_acknowledge(circular=circular, user=account(request.user))
        return Response(circular_detail_data(user=request.user, circular=circular, receipt=receipt))


class CircularReceiptRowSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    state = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    reminded_at = serializers.DateTimeField(allow_null=True)
    reminder_count = serializers.IntegerField()

    class Meta:
        ref_name = "CircularReceiptRow"

    @extend_schema_field(serializers.ChoiceField(choices=ReceiptState.choices))
    def get_state(self, receipt: CircularReceipt) -> str:
        if receipt.acknowledged_at is not None:
            return str(ReceiptState.ACKNOWLEDGED)
        if receipt.opened_at is not None:
            return str(ReceiptState.OPENED)
        return str(ReceiptState.PENDING)


class CircularReceiptCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    opened = serializers.IntegerField(help_text="Abriram sem dar ciência.")
    pending = serializers.IntegerField(help_text="Nem abriram.")

    class Meta:
        ref_name = "CircularReceiptCounts"


class CircularReceiptListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(PageParameters):
        estado = serializers.ChoiceField(choices=ReceiptState.choices, required=False, default="")
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    class OutputSerializer(serializers.Serializer):
        counts = CircularReceiptCountsSerializer()
        results = CircularReceiptRowSerializer(many=True)
        next = next_field()

        class Meta:
            ref_name = "CircularReceiptListOutput"

    @extend_schema(
        operation_id="circular_receipts",
        summary="Ciências de uma circular (unidade remetente)",
        parameters=[CIRCULAR_ID_PARAMETER, FilterSerializer],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=CIRCULAR_TAGS,
    )
    def get(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        if not circular_user_is_sender(user=request.user, circular=circular):
            raise PermissionDenied(_("Só a unidade remetente acompanha as ciências."))
        filters = CircularReceiptListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        receipts = circular_receipt_list(circular=circular, state=params["estado"], query=params["q"])
        page = keyset_page(
            receipts, key="user__full_name", descending=False, cursor=params["cursor"], limit=params["limit"]
        )
        output = CircularReceiptListApi.OutputSerializer(
            {
                "counts": circular_receipt_counts(circular=circular),
                "results": page.results,
                "next": page.next,
            }
        )
        return Response(output.data)


class CircularRemindApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(
            max_length=64,
            help_text="Chave de idempotência gerada pelo cliente: repetir o pedido com a mesma chave não "
            "envia outro lembrete.",
        )

        class Meta:
            ref_name = "CircularRemindInput"

    class OutputSerializer(serializers.Serializer):
        recipient_count = serializers.IntegerField(help_text="Quantos receberam o lembrete.")
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "CircularRemindOutput"

    @extend_schema(
        operation_id="circular_remind",
        summary="Lembrar quem ainda não deu ciência (gestor da unidade remetente)",
        parameters=[CIRCULAR_ID_PARAMETER],
        request=InputSerializer,
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=CIRCULAR_TAGS,
    )
    def post(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        if not circular_user_can_remind(user=request.user, circular=circular):
            raise PermissionDenied(_("Só o gestor da unidade remetente pode enviar lembretes."))
        serializer = CircularRemindApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = circular_remind(
            circular=circular, actor=account(request.user), token=serializer.validated_data["token"]
        )
        return Response(CircularRemindApi.OutputSerializer(reminder).data)
