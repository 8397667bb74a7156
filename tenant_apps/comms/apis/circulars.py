"""Circulars over REST: inboxes, one circular, send, acknowledge, the sender's receipts and reminders."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from paco.pagination import PageParameters
from tenant_apps.accounts.types import Viewer, account
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
    BoxParameters,
    CommsApi,
    CommsUnitSerializer,
    SendInputSerializer,
    comms_schema,
    created,
    id_parameter,
    own_unit,
    page_output,
    sender_unit_field,
    unit_acronyms_field,
    units_from_acronyms,
)

CIRCULAR_ID_PARAMETER = id_parameter("circular_id")
circular_schema = partial(comms_schema, tags=["circulares"])


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


def circular_detail_data(
    *, user: Viewer, circular: Circular, receipt: CircularReceipt | None
) -> dict[str, Any]:
    circular.is_sender = circular_user_is_sender(user=user, circular=circular)  # type: ignore[attr-defined]
    circular.receipt = receipt  # type: ignore[attr-defined]
    return dict(CircularDetailSerializer(circular).data)


def _as_sent(circular: Circular) -> Circular:
    circular.receipt = None  # type: ignore[attr-defined]
    return circular


def _as_received(receipt: CircularReceipt) -> Circular:
    """A recipient sees their own receipt, not the sender's counts."""
    circular = receipt.circular
    circular.receipt = receipt  # type: ignore[attr-defined]
    circular.recipient_count = None  # type: ignore[assignment]
    circular.acknowledged = None  # type: ignore[attr-defined]
    return circular


class CircularListApi(CommsApi):
    FilterSerializer = BoxParameters
    OutputSerializer = page_output(
        ref_name="CircularListOutput", results=CircularListItemSerializer(many=True)
    )

    @circular_schema(
        output=OutputSerializer,
        query=FilterSerializer,
        operation_id="circular_list",
        summary="Circulares recebidas ou enviadas pelas suas unidades",
    )
    def get(self, request: Request) -> Response:
        filters = self.filters(request)
        if filters["caixa"] == "enviados":
            return self.page(
                circular_queryset_sent(user=request.user), key="created_at", filters=filters, shown=_as_sent
            )
        return self.page(
            circular_receipt_queryset_received(user=request.user),
            key="circular__created_at",
            filters=filters,
            shown=_as_received,
        )


class CircularSendApi(CommsApi):
    class InputSerializer(SendInputSerializer):
        units = unit_acronyms_field()
        include_subunits = serializers.BooleanField(required=False, default=False)
        roles = serializers.ListField(
            child=serializers.ChoiceField(choices=Role.choices), required=False, default=list
        )
        everyone = serializers.BooleanField(required=False, default=False, help_text="Todos os servidores.")
        acknowledge_by = serializers.DateField(required=False, allow_null=True, default=None)
        sender_unit = sender_unit_field("Sigla da unidade que você gere (obrigatória se gere mais de uma).")

        class Meta:
            ref_name = "CircularSendInput"

    @circular_schema(
        output=CircularDetailSerializer,
        status_code=201,
        operation_id="circular_send",
        summary="Enviar uma circular (gestor da unidade)",
        description="A ciência de cada destinatário é criada logo depois, em segundo plano.",
        request=InputSerializer,
    )
    def post(self, request: Request) -> Response:
        managed = user_managed_unit_ids(request.user)
        if not managed:
            raise PermissionDenied(_("Só o gestor da unidade pode enviar circulares em nome dela."))
        data = self.body(request)
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
        return created(circular_detail_data(user=request.user, circular=circular, receipt=None))


class CircularCollectionApi(CircularListApi, CircularSendApi):
    """`circulars/`: GET is `CircularListApi`, POST is `CircularSendApi`."""


class CircularDetailApi(CommsApi):
    OutputSerializer = CircularDetailSerializer

    @circular_schema(
        output=OutputSerializer,
        path=CIRCULAR_ID_PARAMETER,
        operation_id="circular_detail",
        summary="Uma circular",
        description="Para um destinatário, a primeira leitura registra a abertura (não a ciência).",
    )
    def get(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        receipt = circular_open(circular=circular, user=account(request.user))
        return Response(circular_detail_data(user=request.user, circular=circular, receipt=receipt))


class CircularAcknowledgeApi(CommsApi):
    @circular_schema(
        output=CircularDetailSerializer,
        path=CIRCULAR_ID_PARAMETER,
        operation_id="circular_acknowledge",
        summary="Dar ciência (destinatário)",
        description="Só o primeiro pedido conta; os seguintes devolvem a mesma ciência.",
        request=None,
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


class CircularReceiptListApi(CommsApi):
    class FilterSerializer(PageParameters):
        estado = serializers.ChoiceField(choices=ReceiptState.choices, required=False, default="")
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    OutputSerializer = page_output(
        ref_name="CircularReceiptListOutput",
        counts=CircularReceiptCountsSerializer(),
        results=CircularReceiptRowSerializer(many=True),
    )

    @circular_schema(
        output=OutputSerializer,
        path=CIRCULAR_ID_PARAMETER,
        query=FilterSerializer,
        operation_id="circular_receipts",
        summary="Ciências de uma circular (unidade remetente)",
    )
    def get(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        if not circular_user_is_sender(user=request.user, circular=circular):
            raise PermissionDenied(_("Só a unidade remetente acompanha as ciências."))
        filters = self.filters(request)
        receipts = circular_receipt_list(circular=circular, state=filters["estado"], query=filters["q"])
        return self.page(
            receipts,
            key="user__full_name",
            descending=False,
            filters=filters,
            counts=circular_receipt_counts(circular=circular),
        )


class CircularRemindApi(CommsApi):
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

    @circular_schema(
        output=OutputSerializer,
        path=CIRCULAR_ID_PARAMETER,
        operation_id="circular_remind",
        summary="Lembrar quem ainda não deu ciência (gestor da unidade remetente)",
        request=InputSerializer,
    )
    def post(self, request: Request, circular_id: int) -> Response:
        circular = circular_get_visible(user=request.user, circular_id=circular_id)
        if not circular_user_can_remind(user=request.user, circular=circular):
            raise PermissionDenied(_("Só o gestor da unidade remetente pode enviar lembretes."))
        data = self.body(request)
        reminder = circular_remind(circular=circular, actor=account(request.user), token=data["token"])
        return Response(self.OutputSerializer(reminder).data)
