"""The Carta de Serviços over REST: public, no login (Lei 13.460/2017, art. 7)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .enums import DeadlineKind, FieldKind
from .selectors import service_get_with_form, service_list_public_with_forms


class ServiceUnitSerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()


# Some output names (label, required, help_text, fields) are also attributes of DRF's Field; the
# serializer metaclass takes declared fields off the class, so only the type stubs disagree.
class ServiceFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    required = serializers.BooleanField(source="is_required")  # type: ignore[assignment]
    choices = serializers.ListField(child=serializers.CharField())
    help_text = serializers.CharField()  # type: ignore[assignment]


class RequiredAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Use este nome como rótulo do arquivo ao abrir o protocolo.")
    description = serializers.CharField()
    required = serializers.BooleanField(source="is_required")  # type: ignore[assignment]


class ServiceSerializer(serializers.Serializer):
    """A service of the catalogue with its form and required documents."""

    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    group = serializers.CharField()
    unit = ServiceUnitSerializer()
    deadline_days = serializers.IntegerField()
    deadline_kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    fields = ServiceFieldSerializer(many=True)  # type: ignore[assignment]
    required_attachments = RequiredAttachmentSerializer(many=True)


class ServiceListApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    OutputSerializer = ServiceSerializer

    @extend_schema(
        operation_id="service_list",
        summary="Carta de serviços",
        description="Serviços que o cidadão pode solicitar, com o formulário e os documentos exigidos.",
        responses=OutputSerializer(many=True),
        tags=["serviços"],
    )
    def get(self, request: Request) -> Response:
        services = service_list_public_with_forms()
        return Response(self.OutputSerializer(services, many=True).data)


class ServiceDetailApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    OutputSerializer = ServiceSerializer

    @extend_schema(
        operation_id="service_detail",
        summary="Um serviço da carta",
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(description="Serviço inexistente ou não público."),
        },
        tags=["serviços"],
    )
    def get(self, request: Request, code: str) -> Response:
        service = service_get_with_form(code=code)
        if service is None:
            raise Http404
        return Response(self.OutputSerializer(service).data)
