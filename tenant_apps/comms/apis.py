"""Memos and circulars over REST, for verified staff.

Reads go through the selectors (a memo or circular outside the caller's scope is a 404); writes go
through the services, which decide who may act (403) and which rules refuse the request (400, field
by field when the rule is about one field).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import api_error_responses
from paco.parsers import query_data
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_managed_unit_ids, user_unit_ids

from .enums import ReceiptState
from .models import Circular, CircularReceipt, Memo, MemoRecipient
from .selectors import (
    circular_get_visible,
    circular_receipt_counts,
    circular_receipt_list,
    circular_user_can_remind,
    circular_user_is_sender,
    memo_get_visible,
    memo_queryset_visible,
    memo_thread,
)
from .services import (
    circular_acknowledge,
    circular_open,
    circular_remind,
    circular_send,
    memo_forward,
    memo_reply,
    memo_send,
)

MEMO_TAGS = ["memorandos"]
CIRCULAR_TAGS = ["circulares"]
BOXES = [("recebidos", _("Recebidos")), ("enviados", _("Enviados"))]
MEMO_ID_PARAMETER = OpenApiParameter("memo_id", OpenApiTypes.INT, OpenApiParameter.PATH)
CIRCULAR_ID_PARAMETER = OpenApiParameter("circular_id", OpenApiTypes.INT, OpenApiParameter.PATH)


ERROR_RESPONSES = api_error_responses(
    bad_request='Dados recusados: `{"campo": ["mensagem"]}` por campo, ou `{"message": "..."}` '
    "quando uma regra impede a operação.",
    not_found="Inexistente ou fora do seu alcance.",
)


# --- input helpers ----------------------------------------------------------------------------


class PageSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2_147_483_647)


def _page(queryset: Any, *, limit: int, offset: int) -> tuple[list[Any], int | None]:
    """One query: a slice one row longer than the page tells whether there is a next page."""
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], (offset + limit if len(rows) > limit else None)


def _units_from_acronyms(acronyms: list[str], field: str) -> list[OrgUnit]:
    wanted = list(dict.fromkeys(acronym.strip().upper() for acronym in acronyms if acronym.strip()))
    if not wanted:
        return []
    matches = Q()
    for acronym in wanted:
        matches |= Q(acronym__iexact=acronym)
    found = {unit.acronym.upper(): unit for unit in OrgUnit.objects.filter(matches, is_active=True)}
    missing = [acronym for acronym in wanted if acronym not in found]
    if missing:
        raise serializers.ValidationError(
            {field: [_("Unidade não encontrada ou inativa: %(units)s.") % {"units": ", ".join(missing)}]}
        )
    return [found[acronym] for acronym in wanted]


def _staff_from_emails(emails: list[str]) -> list[User]:
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails if email.strip()))
    found = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=wanted, kind=UserKind.STAFF, is_active=True)
    }
    missing = [email for email in wanted if email not in found]
    if missing:
        raise serializers.ValidationError(
            {
                "to_users": [
                    _("Não há servidor ativo com o e-mail: %(emails)s.") % {"emails": ", ".join(missing)}
                ]
            }
        )
    return [found[email] for email in wanted]


def _own_unit(acronym: str, allowed_ids: Collection[int], *, field: str = "sender_unit") -> OrgUnit:
    """The unit the caller acts for: the one named, or the only one they have."""
    allowed = OrgUnit.objects.filter(pk__in=allowed_ids).order_by("acronym")
    if acronym.strip():
        unit = allowed.filter(acronym__iexact=acronym.strip()).first()
        if unit is None:
            raise serializers.ValidationError({field: [_("Você não pode agir por esta unidade.")]})
        return unit
    units = list(allowed[:2])
    if len(units) != 1:
        raise serializers.ValidationError(
            {field: [_("Informe a sigla da unidade remetente: você atua em mais de uma.")]}
        )
    return units[0]


# --- output -----------------------------------------------------------------------------------


class CommsUnitSerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "CommsUnit"


class MemoSignatureSerializer(serializers.Serializer):
    signer = serializers.CharField(source="signer_name")
    signed_at = serializers.DateTimeField()
    sha256 = serializers.CharField(source="body_sha256", help_text="SHA-256 do texto assinado.")
    level = serializers.CharField()

    class Meta:
        ref_name = "MemoSignature"


class MemoSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="document.number")
    kind = serializers.CharField(help_text="original, resposta ou encaminhamento.")
    subject = serializers.CharField()
    sender_unit = CommsUnitSerializer()
    author_name = serializers.CharField(source="author.full_name")
    created_at = serializers.DateTimeField()
    to_units = serializers.SerializerMethodField()
    to_users = serializers.SerializerMethodField()

    class Meta:
        ref_name = "MemoSummary"

    def get_to_units(self, memo: Memo) -> list[str]:
        return [r.unit.acronym for r in memo.recipients.all() if r.unit is not None]

    def get_to_users(self, memo: Memo) -> list[str]:
        return [r.user.email for r in memo.recipients.all() if r.user is not None]


class MemoThreadItemSerializer(MemoSummarySerializer):
    body = serializers.CharField()
    note = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    signatures = MemoSignatureSerializer(many=True)

    class Meta:
        ref_name = "MemoThreadItem"


class MemoDetailSerializer(MemoThreadItemSerializer):
    signature = serializers.SerializerMethodField(help_text="A assinatura do autor, ou null.")
    thread = serializers.SerializerMethodField(help_text="O trâmite visível, do mais antigo ao mais novo.")

    class Meta:
        ref_name = "MemoDetail"

    @extend_schema_field(MemoSignatureSerializer(allow_null=True))
    def get_signature(self, memo: Memo) -> dict[str, Any] | None:
        signature = next(iter(memo.signatures.all()), None)
        return dict(MemoSignatureSerializer(signature).data) if signature else None

    @extend_schema_field(MemoThreadItemSerializer(many=True))
    def get_thread(self, memo: Memo) -> list[Any]:
        return list(MemoThreadItemSerializer(self.context["thread"], many=True).data)


def memo_detail_data(*, user: Any, memo_id: int) -> dict[str, Any]:
    memo = memo_get_visible(user=user, memo_id=memo_id)
    thread = memo_thread(user=user, memo=memo)
    # the thread's rows carry the prefetched recipients and signatures of the memo itself
    memo = next((item for item in thread if item.pk == memo.pk), None) or _memo_with_relations(memo.pk)
    return dict(MemoDetailSerializer(memo, context={"thread": thread}).data)


def _memo_with_relations(memo_id: int) -> Memo:
    return (
        Memo.objects.select_related("document", "document__unit", "sender_unit", "author")
        .prefetch_related("recipients__unit", "recipients__user", "signatures")
        .get(pk=memo_id)
    )


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
    acknowledged_count = serializers.IntegerField(allow_null=True, help_text="Só nas enviadas.")
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


# --- memos --------------------------------------------------------------------------------------


class MemoListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(PageSerializer):
        caixa = serializers.ChoiceField(choices=BOXES, required=False, default="recebidos")
        unidade = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=40,
            help_text="Sigla de uma unidade sua: só os memorandos dela (sem ela, todas as suas).",
        )

    class OutputSerializer(serializers.Serializer):
        results = MemoSummarySerializer(many=True)
        next_offset = serializers.IntegerField(allow_null=True, help_text="O `offset` da próxima página.")

        class Meta:
            ref_name = "MemoListOutput"

    @extend_schema(
        operation_id="memo_list",
        summary="Memorandos recebidos ou enviados",
        description="Recebidos: endereçados a você ou a uma unidade sua. Enviados: das suas unidades.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=MEMO_TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = MemoListApi.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        unit_ids = user_unit_ids(request.user)
        if params["unidade"]:
            unit = OrgUnit.objects.filter(pk__in=unit_ids, acronym__iexact=params["unidade"]).first()
            if unit is None:
                raise Http404
            unit_ids = [unit.pk]
        memos: QuerySet[Memo] = memo_queryset_visible(request.user)
        if params["caixa"] == "enviados":
            memos = memos.filter(sender_unit_id__in=unit_ids)
        else:
            addressed = Q(unit_id__in=unit_ids)
            if not params["unidade"]:
                addressed |= Q(user_id=int(request.user.pk or 0))
            memos = memos.filter(Exists(MemoRecipient.objects.filter(addressed, memo=OuterRef("pk"))))
        memos = (
            memos.select_related("document", "document__unit", "sender_unit", "author")
            .prefetch_related("recipients__unit", "recipients__user")
            .order_by("-created_at", "-id")
        )
        rows, next_offset = _page(memos, limit=params["limit"], offset=params["offset"])
        return Response(MemoListApi.OutputSerializer({"results": rows, "next_offset": next_offset}).data)


# spaces only are refused like an empty subject (the serializer trims): documented as a pattern
NOT_BLANK = RegexValidator(r"\S", message=_("Informe o assunto."))


class MemoSendApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=300, validators=[NOT_BLANK])
        body = serializers.CharField(max_length=50_000)
        to_units = serializers.ListField(
            child=serializers.CharField(max_length=40),
            required=False,
            default=list,
            help_text="Siglas das unidades de destino.",
        )
        to_users = serializers.ListField(
            child=serializers.EmailField(),
            required=False,
            default=list,
            help_text="E-mails dos servidores de destino.",
        )
        sender_unit = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=40,
            help_text="Sigla da unidade remetente (obrigatória para quem atua em mais de uma).",
        )
        is_restricted = serializers.BooleanField(
            required=False, default=False, help_text="Documento preparatório (restrito)."
        )

        class Meta:
            ref_name = "MemoSendInput"

    @extend_schema(
        operation_id="memo_send",
        summary="Enviar um memorando",
        request=InputSerializer,
        responses={201: MemoDetailSerializer, **ERROR_RESPONSES},
        tags=MEMO_TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = MemoSendApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sender_unit = _own_unit(data["sender_unit"], user_unit_ids(request.user))
        memo = memo_send(
            author=request.user,
            sender_unit=sender_unit,
            subject=data["subject"],
            body=data["body"],
            to_units=_units_from_acronyms(data["to_units"], "to_units"),
            to_users=_staff_from_emails(data["to_users"]),
            is_restricted=data["is_restricted"],
        )
        return Response(memo_detail_data(user=request.user, memo_id=memo.pk), status=status.HTTP_201_CREATED)


class MemoCollectionApi(APIView):
    """`memos/`: GET is `MemoListApi`, POST is `MemoSendApi`."""

    permission_classes = [IsVerifiedStaff]
    get = MemoListApi.get
    post = MemoSendApi.post


class MemoDetailApi(APIView):
    permission_classes = [IsVerifiedStaff]
    OutputSerializer = MemoDetailSerializer

    @extend_schema(
        operation_id="memo_detail",
        summary="Um memorando, com o trâmite e a assinatura",
        parameters=[MEMO_ID_PARAMETER],
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        tags=MEMO_TAGS,
    )
    def get(self, request: Request, memo_id: int) -> Response:
        return Response(memo_detail_data(user=request.user, memo_id=memo_id))


class MemoReplyApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=50_000)
        sender_unit = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=40,
            help_text="Sigla da unidade que responde (padrão: a unidade sua que recebeu).",
        )

        class Meta:
            ref_name = "MemoReplyInput"

    @extend_schema(
        operation_id="memo_reply",
        summary="Responder a um memorando recebido",
        parameters=[MEMO_ID_PARAMETER],
        request=InputSerializer,
        responses={201: MemoDetailSerializer, **ERROR_RESPONSES},
        tags=MEMO_TAGS,
    )
    def post(self, request: Request, memo_id: int) -> Response:
        memo = memo_get_visible(user=request.user, memo_id=memo_id)
        serializer = MemoReplyApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sender_unit = (
            _own_unit(data["sender_unit"], user_unit_ids(request.user)) if data["sender_unit"] else None
        )
        reply = memo_reply(memo=memo, author=request.user, body=data["body"], sender_unit=sender_unit)
        return Response(memo_detail_data(user=request.user, memo_id=reply.pk), status=status.HTTP_201_CREATED)


class MemoForwardApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=50_000)
        to_units = serializers.ListField(
            child=serializers.CharField(max_length=40),
            required=False,
            default=list,
            help_text="Siglas das unidades de destino.",
        )
        to_users = serializers.ListField(
            child=serializers.EmailField(),
            required=False,
            default=list,
            help_text="E-mails dos servidores de destino.",
        )
        sender_unit = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)

        class Meta:
            ref_name = "MemoForwardInput"

    @extend_schema(
        operation_id="memo_forward",
        summary="Encaminhar um memorando, com uma nota",
        parameters=[MEMO_ID_PARAMETER],
        request=InputSerializer,
        responses={201: MemoDetailSerializer, **ERROR_RESPONSES},
        tags=MEMO_TAGS,
    )
    def post(self, request: Request, memo_id: int) -> Response:
        memo = memo_get_visible(user=request.user, memo_id=memo_id)
        serializer = MemoForwardApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sender_unit = (
            _own_unit(data["sender_unit"], user_unit_ids(request.user)) if data["sender_unit"] else None
        )
        forward = memo_forward(
            memo=memo,
            author=request.user,
            note=data["note"],
            to_units=_units_from_acronyms(data["to_units"], "to_units"),
            to_users=_staff_from_emails(data["to_users"]),
            sender_unit=sender_unit,
        )
        return Response(
            memo_detail_data(user=request.user, memo_id=forward.pk), status=status.HTTP_201_CREATED
        )


# --- circulars ----------------------------------------------------------------------------------


class CircularListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(PageSerializer):
        caixa = serializers.ChoiceField(choices=BOXES, required=False, default="recebidos")

    class OutputSerializer(serializers.Serializer):
        results = CircularListItemSerializer(many=True)
        next_offset = serializers.IntegerField(allow_null=True, help_text="O `offset` da próxima página.")

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
        filters = CircularListApi.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if params["caixa"] == "enviados":
            circulars = (
                Circular.objects.filter(sender_unit_id__in=user_unit_ids(request.user))
                .select_related("document", "document__unit", "sender_unit")
                .annotate(
                    acknowledged_count=_count_acknowledged(),
                )
                .order_by("-created_at", "-id")
            )
            rows, next_offset = _page(circulars, limit=params["limit"], offset=params["offset"])
            for circular in rows:
                circular.receipt = None
        else:
            receipts = (
                CircularReceipt.objects.filter(user_id=int(request.user.pk or 0))
                .select_related(
                    "circular", "circular__document", "circular__document__unit", "circular__sender_unit"
                )
                .order_by("-circular__created_at", "-id")
            )
            page, next_offset = _page(receipts, limit=params["limit"], offset=params["offset"])
            rows = []
            for receipt in page:
                circular = receipt.circular
                circular.receipt = receipt
                circular.recipient_count = None
                circular.acknowledged_count = None
                rows.append(circular)
        return Response(CircularListApi.OutputSerializer({"results": rows, "next_offset": next_offset}).data)


def _count_acknowledged() -> Any:
    return Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False))


class CircularSendApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=300, validators=[NOT_BLANK])
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
            author=request.user,
            sender_unit=_own_unit(data["sender_unit"], managed),
            subject=data["subject"],
            body=data["body"],
            unit_ids=[unit.pk for unit in _units_from_acronyms(data["units"], "units")],
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
        receipt = circular_open(circular=circular, user=request.user)
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
        receipt = circular_acknowledge(circular=circular, user=request.user)
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

    class FilterSerializer(PageSerializer):
        estado = serializers.ChoiceField(choices=ReceiptState.choices, required=False, default="")
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    class OutputSerializer(serializers.Serializer):
        counts = CircularReceiptCountsSerializer()
        results = CircularReceiptRowSerializer(many=True)
        next_offset = serializers.IntegerField(allow_null=True, help_text="O `offset` da próxima página.")

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
        filters = CircularReceiptListApi.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        receipts = circular_receipt_list(circular=circular, state=params["estado"], query=params["q"])
        rows, next_offset = _page(receipts, limit=params["limit"], offset=params["offset"])
        output = CircularReceiptListApi.OutputSerializer(
            {
                "counts": circular_receipt_counts(circular=circular),
                "results": rows,
                "next_offset": next_offset,
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
            circular=circular, actor=request.user, token=serializer.validated_data["token"]
        )
        return Response(CircularRemindApi.OutputSerializer(reminder).data)
