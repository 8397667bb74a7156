"""`/api/v1/insights/...`: the manager's figures (staff, same scope as the page) and the open
datasets (public)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import ApplicationError, api_error_responses
from paco.parsers import query_data
from tenant_apps.accounts.api_auth import IsVerifiedStaff

from . import selectors
from .forms import MAX_PERIOD_DAYS
from .opendata import datasets_all, published_rows, year_param
from .selectors import Period

TAGS = ["indicadores"]
ERROR_RESPONSES = api_error_responses(
    bad_request="Período ou ano inválido.",
    not_found="Conjunto de dados inexistente, ou unidade fora do seu alcance.",
)


class FiguresSerializer(serializers.Serializer):
    opened = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_in_time = serializers.IntegerField()
    backlog = serializers.IntegerField()
    overdue = serializers.IntegerField()
    median_days = serializers.IntegerField(allow_null=True)
    p90_days = serializers.IntegerField(allow_null=True)
    rfi_asked = serializers.IntegerField()
    rfi_mean_hours = serializers.FloatField(allow_null=True)
    satisfaction_mean = serializers.FloatField(allow_null=True)


class UnitStaySerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.acronym")
    received = serializers.IntegerField()
    stays = serializers.IntegerField()
    mean_hours = serializers.FloatField(allow_null=True)
    backlog = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    scope = serializers.CharField()
    current = FiguresSerializer()
    previous = FiguresSerializer()
    units = UnitStaySerializer(many=True)
    paper_pages = serializers.IntegerField()
    paper_cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class SummaryApi(APIView):
    """The indicators of a period and of the one before it, for the caller's units (unit managers:
    their units and sub-units; municipal admin and mayor's office: the city)."""

    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)
        unit = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Primeiro dia (padrão: 29 dias atrás)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Último dia (padrão: hoje)."),
            OpenApiParameter(
                "unit", OpenApiTypes.INT, description="Uma unidade do escopo (com as subunidades)."
            ),
        ],
        responses={200: SummarySerializer, **ERROR_RESPONSES},
        operation_id="insights_summary",
    )
    def get(self, request: Request) -> Response:
        scope = selectors.scope_for(request.user)
        if scope is None:
            raise Http404
        filters = self.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        default = selectors.period_default()
        period = Period(
            filters.validated_data.get("start", default.first),
            filters.validated_data.get("end", default.last),
        )
        if period.last < period.first or period.days > MAX_PERIOD_DAYS:
            raise ApplicationError("Escolha um período de até três anos, com o fim depois do início.")
        unit_id = filters.validated_data.get("unit")
        if unit_id is not None and scope.unit_ids is not None and unit_id not in scope.unit_ids:
            raise Http404
        scope = selectors.scope_narrow(scope, unit_id)
        paper = selectors.paper_saved(scope, period)
        current = selectors.figures(scope, period)
        previous = selectors.figures(scope, period.previous())
        data: dict[str, Any] = {
            "first_day": period.first,
            "last_day": period.last,
            "scope": scope.label,
            "current": current,
            "previous": previous,
            "units": selectors.unit_stays(scope, period),
            "paper_pages": paper.pages,
            "paper_cost": paper.cost,
        }
        return Response(SummarySerializer(data).data)


class DatasetFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()


class DatasetSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    columns = DatasetFieldSerializer(source="fields", many=True)


class DatasetListApi(APIView):
    """The city's open datasets and their data dictionaries (public)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS, responses={200: DatasetSerializer(many=True)}, operation_id="insights_dataset_list"
    )
    def get(self, request: Request) -> Response:
        return Response(DatasetSerializer(list(datasets_all().values()), many=True).data)


class DatasetRowsApi(APIView):
    """One dataset's rows (counts of people below the city's threshold as "<N"), optionally one year."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="Só este ano.")],
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
        operation_id="insights_dataset_rows",
    )
    def get(self, request: Request, dataset: str) -> Response:
        item = datasets_all().get(dataset)
        if item is None:
            raise Http404
        try:
            year = year_param(request.query_params.get("year"))
        except ValueError:
            raise ApplicationError("Ano inválido.", extra={"field": "year"}) from None
        names = [field.name for field in item.fields]
        rows = [dict(zip(names, row, strict=True)) for row in published_rows(item, year)]
        return Response({"dataset": item.slug, "year": year, "rows": rows})
