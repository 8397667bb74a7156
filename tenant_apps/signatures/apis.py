"""Signatures over REST (`/api/v1/signatures/...`): a document's signatures, signing it, the pending
list, signing blocks (create, read, sign many at once, refuse). Verified staff only; the signer is
always the person of the token or session."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import ApplicationError, api_error_responses
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.types import account
from tenant_apps.documents.models import Document
from tenant_apps.documents.selectors import document_user_can_read
from tenant_apps.org.selectors import user_unit_ids

from .enums import SignatureLevel
from .forms import PKCS12_MAX_BYTES
from .models import Signature, SigningBlock
from .selectors import block_get_for_user, block_pending_for_user, signatures_of_document
from .services import (
    signature_sign,
    signing_block_create,
    signing_block_refuse,
    signing_block_sign_all,
    user_may_sign,
)


class SignatureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(source="version.number")
    sequence = serializers.IntegerField()
    signer = serializers.CharField(source="signer_name")
    cpf = serializers.CharField(source="signer_cpf_masked")
    level = serializers.ChoiceField(choices=SignatureLevel.choices)
    signed_at = serializers.DateTimeField()
    certificate_issuer = serializers.CharField()
    is_certification = serializers.BooleanField()

    class Meta:
        ref_name = "DocumentSignature"


class SignInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=SignatureLevel.choices)
    expected_version = serializers.IntegerField(help_text="A versão que o signatário leu.")
    otp_token = serializers.CharField(required=False, allow_blank=True, max_length=10)
    pkcs12_base64 = serializers.CharField(
        required=False, allow_blank=True, help_text="Certificado A1 em base64 (qualificada)."
    )
    pkcs12_password = serializers.CharField(required=False, allow_blank=True, write_only=True)


def _pkcs12(values: dict[str, Any]) -> bytes:
    raw = values.get("pkcs12_base64") or ""
    if not raw:
        return b""
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ApplicationError(
            "O certificado enviado não está em base64.", extra={"field": "pkcs12_base64"}
        ) from error
    if len(data) > PKCS12_MAX_BYTES:
        raise ApplicationError(
            "O arquivo do certificado é grande demais para um A1.", extra={"field": "pkcs12_base64"}
        )
    return data


def _document(request: Request, document_id: int) -> Document:
    document = Document.objects.select_related("unit").filter(pk=document_id).first()
    if document is None or not (
        document_user_can_read(request.user, document)
        or user_may_sign(user=account(request.user), document=document)
    ):
        raise Http404
    return document


class DocumentSignaturesApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(responses=SignatureOutputSerializer(many=True), summary="Assinaturas de um documento")
    def get(self, request: Request, document_id: int) -> Response:
        document = _document(request, document_id)
        return Response(SignatureOutputSerializer(signatures_of_document(document=document), many=True).data)


class DocumentSignApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=SignInputSerializer,
        responses={
            201: SignatureOutputSerializer,
            **api_error_responses(bad_request="Assinatura recusada", not_found="Documento não encontrado"),
        },
        summary="Assinar a versão atual (PAdES; simples, avançada com TOTP ou qualificada com A1)",
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = _document(request, document_id)
        data = SignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        signature: Signature = signature_sign(
            document=document,
            signer=account(request.user),
            level=values["level"],
            otp_token=values.get("otp_token", ""),
            pkcs12_data=_pkcs12(values),
            pkcs12_password=values.get("pkcs12_password", ""),
            expected_version=values["expected_version"],
        )
        return Response(SignatureOutputSerializer(signature).data, status=status.HTTP_201_CREATED)


class BlockSignerSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.full_name")
    position = serializers.IntegerField()
    status = serializers.CharField()
    refusal_reason = serializers.CharField()


class BlockOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = serializers.CharField(source="author.full_name")
    is_ordered = serializers.BooleanField()
    level = serializers.ChoiceField(choices=SignatureLevel.choices)
    status = serializers.CharField()
    documents = serializers.SerializerMethodField()
    signers = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SigningBlock"

    def get_documents(self, block: SigningBlock) -> list[int]:
        return [item.document_id for item in block.items.all()]

    @extend_schema(responses=BlockSignerSerializer(many=True))
    def get_signers(self, block: SigningBlock) -> list[dict[str, Any]]:
        return list(BlockSignerSerializer(block.signers.select_related("user"), many=True).data)


class BlockInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    documents = serializers.ListField(child=serializers.IntegerField(), max_length=200)
    signers = serializers.ListField(
        child=serializers.IntegerField(), max_length=50, help_text="Ids dos servidores, na ordem."
    )
    is_ordered = serializers.BooleanField(default=False)
    level = serializers.ChoiceField(choices=SignatureLevel.choices, default=SignatureLevel.ADVANCED)


class BlockListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(responses=BlockOutputSerializer(many=True), summary="Blocos à espera da sua assinatura")
    def get(self, request: Request) -> Response:
        return Response(
            BlockOutputSerializer(block_pending_for_user(user=account(request.user)), many=True).data
        )

    @extend_schema(
        request=BlockInputSerializer,
        responses={
            201: BlockOutputSerializer,
            **api_error_responses(bad_request="Bloco inválido", not_found="-"),
        },
        summary="Criar um bloco de assinatura",
    )
    def post(self, request: Request) -> Response:
        data = BlockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        units = user_unit_ids(request.user)
        documents = list(Document.objects.filter(pk__in=values["documents"], unit_id__in=units))
        if len(documents) != len(set(values["documents"])):
            raise Http404
        people = {
            user.pk: user for user in User.objects.filter(pk__in=values["signers"], kind=UserKind.STAFF)
        }
        if len(people) != len(set(values["signers"])):
            raise ApplicationError("Signatário desconhecido.", extra={"field": "signers"})
        block = signing_block_create(
            title=values["title"],
            author=account(request.user),
            documents=documents,
            signers=[people[pk] for pk in values["signers"]],
            is_ordered=values["is_ordered"],
            level=values["level"],
        )
        return Response(BlockOutputSerializer(block).data, status=status.HTTP_201_CREATED)


class BlockDetailApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(responses=BlockOutputSerializer, summary="Um bloco de assinatura")
    def get(self, request: Request, block_id: int) -> Response:
        block = block_get_for_user(user=account(request.user), block_id=block_id)
        if block is None:
            raise Http404
        return Response(BlockOutputSerializer(block).data)


class BlockSignInputSerializer(serializers.Serializer):
    blocks = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    otp_token = serializers.CharField(required=False, allow_blank=True, max_length=10)
    pkcs12_base64 = serializers.CharField(required=False, allow_blank=True)
    pkcs12_password = serializers.CharField(required=False, allow_blank=True, write_only=True)


class BlockSignOutputSerializer(serializers.Serializer):
    signed = serializers.IntegerField()


class BlockSignApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=BlockSignInputSerializer,
        responses={
            200: BlockSignOutputSerializer,
            **api_error_responses(bad_request="Assinatura recusada", not_found="Bloco não encontrado"),
        },
        summary="Assinar de uma vez os documentos de vários blocos (uma confirmação)",
    )
    def post(self, request: Request) -> Response:
        data = BlockSignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        pending = {block.pk: block for block in block_pending_for_user(user=account(request.user))}
        if any(pk not in pending for pk in values["blocks"]):
            raise Http404
        signatures = signing_block_sign_all(
            signer=account(request.user),
            blocks=[pending[pk] for pk in dict.fromkeys(values["blocks"])],
            otp_token=values.get("otp_token", ""),
            pkcs12_data=_pkcs12(values),
            pkcs12_password=values.get("pkcs12_password", ""),
        )
        return Response({"signed": len(signatures)})


class RefuseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class BlockRefuseApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=RefuseInputSerializer,
        responses={
            200: BlockOutputSerializer,
            **api_error_responses(bad_request="Recusa inválida", not_found="Bloco não encontrado"),
        },
        summary="Recusar a assinatura de um bloco, com o motivo (volta ao autor)",
    )
    def post(self, request: Request, block_id: int) -> Response:
        block = block_get_for_user(user=account(request.user), block_id=block_id)
        if block is None:
            raise Http404
        data = RefuseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        block = signing_block_refuse(
            block=block, signer=account(request.user), reason=data.validated_data["reason"]
        )
        return Response(BlockOutputSerializer(block).data)
