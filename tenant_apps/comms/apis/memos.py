"""Memos over REST: inboxes, one memo with its thread, send, reply and forward."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.pagination import PageParameters, keyset_page, next_field
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.accounts.types import account
from tenant_apps.org.selectors import unit_among, user_unit_ids

from ..models import Memo
from ..selectors import memo_get_visible, memo_get_with_relations, memo_list_box, memo_thread
from ..services import memo_forward, memo_reply, memo_send
from .common import (
    BOXES,
    ERROR_RESPONSES,
    CommsUnitSerializer,
    own_unit,
    staff_from_emails,
    units_from_acronyms,
)

MEMO_TAGS = ["memorandos"]
MEMO_ID_PARAMETER = OpenApiParameter("memo_id", OpenApiTypes.INT, OpenApiParameter.PATH)


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


def to_units_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Siglas das unidades de destino.",
    )


def to_users_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        default=list,
        help_text="E-mails dos servidores de destino.",
    )


def memo_detail_data(*, user: Any, memo_id: int) -> dict[str, Any]:
    memo = memo_get_visible(user=user, memo_id=memo_id)
    thread = memo_thread(user=user, memo=memo)
    # the thread's rows carry the prefetched recipients and signatures of the memo itself
    memo = next((item for item in thread if item.pk == memo.pk), None) or memo_get_with_relations(
        memo_id=memo.pk
    )
    return dict(MemoDetailSerializer(memo, context={"thread": thread}).data)


class MemoListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(PageParameters):
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
        next = next_field()

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
        filters = MemoListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        unit_ids = user_unit_ids(request.user)
        if params["unidade"]:
            unit = unit_among(unit_ids=unit_ids, acronym=params["unidade"])
            if unit is None:
                raise Http404
            unit_ids = [unit.pk]
        memos = memo_list_box(
            user=request.user, box=params["caixa"], unit_ids=unit_ids, include_personal=not params["unidade"]
        )
        page = keyset_page(memos, key="created_at", cursor=params["cursor"], limit=params["limit"])
        return Response(MemoListApi.OutputSerializer({"results": page.results, "next": page.next}).data)


class MemoSendApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=300)
        body = serializers.CharField(max_length=50_000)
        to_units = to_units_field()
        to_users = to_users_field()
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
        sender_unit = own_unit(data["sender_unit"], user_unit_ids(request.user))
        memo = memo_send(
            author=account(request.user),
            sender_unit=sender_unit,
            subject=data["subject"],
            body=data["body"],
            to_units=units_from_acronyms(data["to_units"], "to_units"),
            to_users=staff_from_emails(data["to_users"]),
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
            own_unit(data["sender_unit"], user_unit_ids(request.user)) if data["sender_unit"] else None
        )
        reply = memo_reply(
            memo=memo, author=account(request.user), body=data["body"], sender_unit=sender_unit
        )
        return Response(memo_detail_data(user=request.user, memo_id=reply.pk), status=status.HTTP_201_CREATED)


class MemoForwardApi(APIView):
    permission_classes = [IsVerifiedStaff]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=50_000)
        to_units = to_units_field()
        to_users = to_users_field()
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
            own_unit(data["sender_unit"], user_unit_ids(request.user)) if data["sender_unit"] else None
        )
        forward = memo_forward(
            memo=memo,
            author=account(request.user),
            note=data["note"],
            to_units=units_from_acronyms(data["to_units"], "to_units"),
            to_users=staff_from_emails(data["to_users"]),
            sender_unit=sender_unit,
        )
        return Response(
            memo_detail_data(user=request.user, memo_id=forward.pk), status=status.HTTP_201_CREATED
        )
