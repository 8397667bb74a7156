"""Document templates over REST (`/api/v1/templates/...`): list, create, edit (new version), the merge
fields, preview on a case and generate a document on a case. Verified staff only."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import api_error_responses
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.accounts.types import account
from tenant_apps.cases.selectors import case_queryset_visible
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.org.models import OrgUnit

from .engine import MERGE_FIELDS
from .models import DocumentTemplate
from .selectors import (
    template_get_for_manager,
    template_get_usable,
    template_latest_version,
    template_list_for_manager,
    template_list_usable,
)
from .services import document_from_template, template_create, template_preview, template_update


class TemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    unit = serializers.CharField(source="unit.acronym", allow_null=True, default=None)
    is_published = serializers.BooleanField()
    version = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        ref_name = "DocumentTemplate"

    def get_version(self, template: DocumentTemplate) -> int:
        latest = template_latest_version(template=template)
        return latest.number if latest else 0

    def get_body(self, template: DocumentTemplate) -> str:
        latest = template_latest_version(template=template)
        return latest.body if latest else ""


class TemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    unit = serializers.CharField(
        required=False, allow_blank=True, help_text="Sigla da unidade; vazio: toda a prefeitura."
    )
    body = serializers.CharField(max_length=50_000)
    is_published = serializers.BooleanField(default=False)


def _unit(acronym: str) -> OrgUnit | None:
    if not acronym:
        return None
    unit = OrgUnit.objects.filter(acronym=acronym).first()
    if unit is None:
        raise serializers.ValidationError({"unit": "Unidade desconhecida."})
    return unit


class MergeFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    example = serializers.CharField()


class TemplateFieldsApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(responses=MergeFieldSerializer(many=True), summary="Campos de mesclagem permitidos")
    def get(self, request: Request) -> Response:
        return Response(
            [
                {"key": field.key, "label": str(field.label), "example": field.example}
                for field in MERGE_FIELDS
            ]
        )


class TemplateListApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        responses=TemplateOutputSerializer(many=True), summary="Modelos que você administra ou pode usar"
    )
    def get(self, request: Request) -> Response:
        managed = {template.pk: template for template in template_list_for_manager(user=request.user)}
        usable = {template.pk: template for template in template_list_usable(user=request.user)}
        rows = sorted({**usable, **managed}.values(), key=lambda template: (template.name, template.pk))
        return Response(TemplateOutputSerializer(rows, many=True).data)

    @extend_schema(
        request=TemplateInputSerializer,
        responses={
            201: TemplateOutputSerializer,
            **api_error_responses(bad_request="Modelo inválido", not_found="-"),
        },
        summary="Criar um modelo (o texto é conferido: campos e marcação)",
    )
    def post(self, request: Request) -> Response:
        data = TemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        template = template_create(
            name=values["name"],
            kind=values["kind"],
            unit=_unit(values.get("unit", "")),
            body=values["body"],
            is_published=values["is_published"],
            created_by=account(request.user),
        )
        return Response(TemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailApi(APIView):
    permission_classes = [IsVerifiedStaff]

    def _template(self, request: Request, template_id: int) -> DocumentTemplate:
        template = template_get_for_manager(user=request.user, template_id=template_id)
        if template is None:
            raise Http404
        return template

    @extend_schema(responses=TemplateOutputSerializer, summary="Um modelo (versão atual)")
    def get(self, request: Request, template_id: int) -> Response:
        template = template_get_for_manager(
            user=request.user, template_id=template_id
        ) or template_get_usable(user=request.user, template_id=template_id)
        if template is None:
            raise Http404
        return Response(TemplateOutputSerializer(template).data)

    @extend_schema(
        request=TemplateInputSerializer,
        responses={
            200: TemplateOutputSerializer,
            **api_error_responses(bad_request="Modelo inválido", not_found="Modelo não encontrado"),
        },
        summary="Alterar um modelo (um texto diferente cria nova versão)",
    )
    def put(self, request: Request, template_id: int) -> Response:
        template = self._template(request, template_id)
        data = TemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        template = template_update(
            template=template,
            name=values["name"],
            kind=values["kind"],
            unit=_unit(values.get("unit", "")),
            body=values["body"],
            is_published=values["is_published"],
            updated_by=account(request.user),
        )
        return Response(TemplateOutputSerializer(template).data)


class CaseInputSerializer(serializers.Serializer):
    nup = serializers.CharField(max_length=25)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PreviewOutputSerializer(serializers.Serializer):
    html = serializers.CharField()


class GeneratedOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    verification_code = serializers.CharField()


def _case(request: Request, nup: str) -> Any:
    case = case_queryset_visible(request.user).filter(nup=nup.strip()).first()
    if case is None:
        raise Http404
    return case


class TemplatePreviewApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=CaseInputSerializer,
        responses={
            200: PreviewOutputSerializer,
            **api_error_responses(bad_request="-", not_found="Modelo ou processo não encontrado"),
        },
        summary="Prévia do modelo em um processo real (nada é gravado)",
    )
    def post(self, request: Request, template_id: int) -> Response:
        template = template_get_for_manager(
            user=request.user, template_id=template_id
        ) or template_get_usable(user=request.user, template_id=template_id)
        if template is None:
            raise Http404
        data = CaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        html = template_preview(
            template=template, case=_case(request, data.validated_data["nup"]), user=request.user
        )
        return Response({"html": html})


class TemplateGenerateApi(APIView):
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=CaseInputSerializer,
        responses={
            201: GeneratedOutputSerializer,
            **api_error_responses(
                bad_request="Não foi possível gerar", not_found="Modelo ou processo não encontrado"
            ),
        },
        summary="Gerar um documento no processo a partir do modelo",
    )
    def post(self, request: Request, template_id: int) -> Response:
        template = template_get_usable(user=request.user, template_id=template_id)
        if template is None:
            raise Http404
        data = CaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_from_template(
            template=template,
            case=_case(request, data.validated_data["nup"]),
            author=account(request.user),
            title=data.validated_data.get("title", ""),
        )
        return Response(
            {"id": document.pk, "number": document.number, "verification_code": document.verification_code},
            status=status.HTTP_201_CREATED,
        )
