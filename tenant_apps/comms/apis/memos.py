"""Memos over REST: inboxes, one memo with its thread, send, reply and forward."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_apps.accounts.types import Viewer, account
from tenant_apps.org.selectors import unit_among, user_unit_ids
from tenant_apps.signatures.enums import RequestStatus

from ..models import Memo
from ..selectors import memo_get_visible, memo_get_with_relations, memo_list_box, memo_thread
from ..services import memo_forward, memo_reply, memo_send
from .common import (
    BoxParameters,
    CommsApi,
    CommsUnitSerializer,
    SendInputSerializer,
    comms_schema,
    created,
    id_parameter,
    own_unit,
    own_unit_if_named,
    page_output,
    sender_unit_field,
    staff_from_emails,
    unit_acronyms_field,
    units_from_acronyms,
)

MEMO_ID_PARAMETER = id_parameter("memo_id")
memo_schema = partial(comms_schema, tags=["memorandos"])


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


SIGNATURE_STATUSES = ("processando", "assinado", "falhou")


def memo_signature_status(memo: Memo) -> str | None:
    """Where the author's signature is: "assinado" once it is made; "processando" while the job that
    signs the memo's PDF after the send runs (or retries); "falhou" when it gave up (the author may ask
    again with "Tentar de novo"); None when none was asked for (reads the prefetched rows)."""
    if any(signature.signer_id == memo.author_id for signature in memo.document.signatures.all()):
        return "assinado"
    requests = [row for row in memo.document.signature_requests.all() if row.signer_id == memo.author_id]
    if not requests:
        return None
    outcome: dict[str, str] = {RequestStatus.FAILED: "falhou", RequestStatus.DONE: "assinado"}
    return outcome.get(requests[-1].status, "processando")


class MemoThreadItemSerializer(MemoSummarySerializer):
    body = serializers.CharField()
    note = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    signatures = MemoSignatureSerializer(many=True, source="document.signatures")
    signature_status = serializers.SerializerMethodField(
        help_text=(
            "A assinatura do autor: processando (um job a aplica ao PDF logo depois do envio; até lá "
            "`signatures` fica vazio e `signature` null), assinado, ou falhou (o autor pode pedir de novo "
            "na página do memorando); null quando nenhuma foi pedida."
        )
    )

    class Meta:
        ref_name = "MemoThreadItem"

    @extend_schema_field(serializers.ChoiceField(choices=SIGNATURE_STATUSES, allow_null=True))
    def get_signature_status(self, memo: Memo) -> str | None:
        return memo_signature_status(memo)


class MemoDetailSerializer(MemoThreadItemSerializer):
    signature = serializers.SerializerMethodField(
        help_text="A assinatura do autor, ou null enquanto é feita (veja `signature_status`)."
    )
    thread = serializers.SerializerMethodField(help_text="O trâmite visível, do mais antigo ao mais novo.")

    class Meta:
        ref_name = "MemoDetail"

    @extend_schema_field(MemoSignatureSerializer(allow_null=True))
    def get_signature(self, memo: Memo) -> dict[str, Any] | None:
        signature = next(iter(memo.document.signatures.all()), None)
        return dict(MemoSignatureSerializer(signature).data) if signature else None

    @extend_schema_field(MemoThreadItemSerializer(many=True))
    def get_thread(self, memo: Memo) -> list[Any]:
        return list(MemoThreadItemSerializer(self.context["thread"], many=True).data)


def to_users_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        default=list,
        help_text="E-mails dos servidores de destino.",
    )


def memo_detail_data(*, user: Viewer, memo_id: int) -> dict[str, Any]:
    memo = memo_get_visible(user=user, memo_id=memo_id)
    thread = memo_thread(user=user, memo=memo)
    # the thread's rows carry the prefetched recipients and signatures of the memo itself
    memo = next((item for item in thread if item.pk == memo.pk), None) or memo_get_with_relations(
        memo_id=memo.pk
    )
    return dict(MemoDetailSerializer(memo, context={"thread": thread}).data)


class MemoListApi(CommsApi):
    class FilterSerializer(BoxParameters):
        unidade = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=40,
            help_text="Sigla de uma unidade sua: só os memorandos dela (sem ela, todas as suas).",
        )

    OutputSerializer = page_output(ref_name="MemoListOutput", results=MemoSummarySerializer(many=True))

    @memo_schema(
        output=OutputSerializer,
        query=FilterSerializer,
        operation_id="memo_list",
        summary="Memorandos recebidos ou enviados",
        description="Recebidos: endereçados a você ou a uma unidade sua. Enviados: das suas unidades.",
    )
    def get(self, request: Request) -> Response:
        filters = self.filters(request)
        unit_ids = user_unit_ids(request.user)
        if filters["unidade"]:
            unit = unit_among(unit_ids=unit_ids, acronym=filters["unidade"])
            if unit is None:
                raise Http404
            unit_ids = [unit.pk]
        memos = memo_list_box(
            user=request.user,
            box=filters["caixa"],
            unit_ids=unit_ids,
            include_personal=not filters["unidade"],
        )
        return self.page(memos, key="created_at", filters=filters)


class MemoSendApi(CommsApi):
    class InputSerializer(SendInputSerializer):
        to_units = unit_acronyms_field()
        to_users = to_users_field()
        sender_unit = sender_unit_field(
            "Sigla da unidade remetente (obrigatória para quem atua em mais de uma)."
        )
        is_restricted = serializers.BooleanField(
            required=False, default=False, help_text="Documento preparatório (restrito)."
        )

        class Meta:
            ref_name = "MemoSendInput"

    @memo_schema(
        output=MemoDetailSerializer,
        status_code=201,
        operation_id="memo_send",
        summary="Enviar um memorando",
        request=InputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = self.body(request)
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
        return created(memo_detail_data(user=request.user, memo_id=memo.pk))


class MemoCollectionApi(MemoListApi, MemoSendApi):
    """`memos/`: GET is `MemoListApi`, POST is `MemoSendApi`."""


class MemoDetailApi(CommsApi):
    OutputSerializer = MemoDetailSerializer

    @memo_schema(
        output=OutputSerializer,
        path=MEMO_ID_PARAMETER,
        operation_id="memo_detail",
        summary="Um memorando, com o trâmite e a assinatura",
    )
    def get(self, request: Request, memo_id: int) -> Response:
        return Response(memo_detail_data(user=request.user, memo_id=memo_id))


class MemoReplyApi(CommsApi):
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=50_000)
        sender_unit = sender_unit_field("Sigla da unidade que responde (padrão: a unidade sua que recebeu).")

        class Meta:
            ref_name = "MemoReplyInput"

    @memo_schema(
        output=MemoDetailSerializer,
        status_code=201,
        path=MEMO_ID_PARAMETER,
        operation_id="memo_reply",
        summary="Responder a um memorando recebido",
        request=InputSerializer,
    )
    def post(self, request: Request, memo_id: int) -> Response:
        memo = memo_get_visible(user=request.user, memo_id=memo_id)
        data = self.body(request)
        reply = memo_reply(
            memo=memo,
            author=account(request.user),
            body=data["body"],
            sender_unit=own_unit_if_named(data["sender_unit"], user_unit_ids(request.user)),
        )
        return created(memo_detail_data(user=request.user, memo_id=reply.pk))


class MemoForwardApi(CommsApi):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=50_000)
        to_units = unit_acronyms_field()
        to_users = to_users_field()
        sender_unit = sender_unit_field()

        class Meta:
            ref_name = "MemoForwardInput"

    @memo_schema(
        output=MemoDetailSerializer,
        status_code=201,
        path=MEMO_ID_PARAMETER,
        operation_id="memo_forward",
        summary="Encaminhar um memorando, com uma nota",
        request=InputSerializer,
    )
    def post(self, request: Request, memo_id: int) -> Response:
        memo = memo_get_visible(user=request.user, memo_id=memo_id)
        data = self.body(request)
        forward = memo_forward(
            memo=memo,
            author=account(request.user),
            note=data["note"],
            to_units=units_from_acronyms(data["to_units"], "to_units"),
            to_users=staff_from_emails(data["to_users"]),
            sender_unit=own_unit_if_named(data["sender_unit"], user_unit_ids(request.user)),
        )
        return created(memo_detail_data(user=request.user, memo_id=forward.pk))
