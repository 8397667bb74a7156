"""What the memo and circular APIs share: the base of their endpoints (who may call, how the query
and the body are read, how a list is paged, what a creation answers), the declarations their
serializers have in common (a box to list, a subject and body to send, units named by acronym, a
page of results, an id in the path), error responses, units and staff by name."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any, ClassVar

from django.core.validators import RegexValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import api_error_responses
from paco.pagination import PageParameters, keyset_page, next_field
from paco.parsers import query_data
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import staff_active_by_email
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import unit_active_by_acronym, unit_among, unit_list_among

BOXES = [("recebidos", _("Recebidos")), ("enviados", _("Enviados"))]

ERROR_RESPONSES = api_error_responses(
    bad_request='Dados recusados: `{"campo": ["mensagem"]}` por campo, ou `{"message": "..."}` '
    "quando uma regra impede a operação.",
    not_found="Inexistente ou fora do seu alcance.",
)


# a subject of spaces only is refused like an empty one (the serializer trims): documented as a pattern
NOT_BLANK = RegexValidator(r"\S", message=_("Informe o assunto."))


def units_from_acronyms(acronyms: list[str], field: str) -> list[OrgUnit]:
    wanted = list(dict.fromkeys(acronym.strip().upper() for acronym in acronyms if acronym.strip()))
    if not wanted:
        return []
    found = unit_active_by_acronym(acronyms=wanted)
    missing = [acronym for acronym in wanted if acronym not in found]
    if missing:
        raise serializers.ValidationError(
            {field: [_("Unidade não encontrada ou inativa: %(units)s.") % {"units": ", ".join(missing)}]}
        )
    return [found[acronym] for acronym in wanted]


def staff_from_emails(emails: list[str]) -> list[User]:
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails if email.strip()))
    found = staff_active_by_email(emails=wanted)
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


def own_unit(acronym: str, allowed_ids: Collection[int], *, field: str = "sender_unit") -> OrgUnit:
    """The unit the caller acts for: the one named, or the only one they have."""
    if acronym.strip():
        unit = unit_among(unit_ids=allowed_ids, acronym=acronym.strip())
        if unit is None:
            raise serializers.ValidationError({field: [_("Você não pode agir por esta unidade.")]})
        return unit
    units = unit_list_among(unit_ids=allowed_ids, limit=2)
    if len(units) != 1:
        raise serializers.ValidationError(
            {field: [_("Informe a sigla da unidade remetente: você atua em mais de uma.")]}
        )
    return units[0]


class CommsUnitSerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "CommsUnit"


# The serializers below are bases and parts, with comments rather than docstrings: the OpenAPI
# description of a serializer without a docstring of its own would inherit theirs.


# the query of a list by box: received (the default) or sent, one page at a time
class BoxParameters(PageParameters):
    caixa = serializers.ChoiceField(choices=BOXES, required=False, default="recebidos")


# what every send asks first: the subject (not blank) and the text
class SendInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=300, validators=[NOT_BLANK])
    body = serializers.CharField(max_length=50_000)


def unit_acronyms_field() -> serializers.ListField:
    """Units to send to, by acronym (checked by `units_from_acronyms`)."""
    return serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Siglas das unidades de destino.",
    )


def page_output(
    *, ref_name: str, results: serializers.Serializer, **leading: serializers.Field
) -> type[serializers.Serializer]:
    """The answer of a list: `leading` fields (such as counts), then `results`, one page of items,
    and `next`, the cursor of the following page; `ref_name` names it in the OpenAPI description."""
    # a serializer's fields keep the order they were made in: copies, made in the order answered
    fields = {name: copy.deepcopy(field) for name, field in leading.items()}
    fields["results"] = copy.deepcopy(results)
    fields["next"] = next_field()
    meta = type("Meta", (), {"ref_name": ref_name})
    return type(f"{ref_name}Serializer", (serializers.Serializer,), {**fields, "Meta": meta})


def id_parameter(name: str) -> OpenApiParameter:
    """An entity's integer id in the path (`memo_id`, `circular_id`)."""
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)


# The base of every memo and circular endpoint: verified staff only; the query read through the
# endpoint's `FilterSerializer` and the body through its `InputSerializer`, each refused field by field
# with a 400 before anything changes; lists answered one keyset page at a time. (A comment, not a
# docstring: the OpenAPI description of an endpoint without its own docstring would inherit it.)
class CommsApi(APIView):
    permission_classes = [IsVerifiedStaff]
    FilterSerializer: ClassVar[type[serializers.Serializer]]
    InputSerializer: ClassVar[type[serializers.Serializer]]
    OutputSerializer: ClassVar[type[serializers.Serializer]]

    def filters(self, request: Request) -> dict[str, Any]:
        serializer = self.FilterSerializer(data=query_data(request))
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def body(self, request: Request) -> dict[str, Any]:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def page(
        self,
        rows: QuerySet[Any],
        *,
        key: str,
        filters: dict[str, Any],
        descending: bool = True,
        shown: Callable[[Any], Model] | None = None,
        **extra: Any,
    ) -> Response:
        """One page of `rows` by (`key`, id) as `results` and `next` (and `extra`), through the
        endpoint's `OutputSerializer`; `shown` turns each row into what the list shows."""
        page = keyset_page(
            rows, key=key, descending=descending, cursor=filters["cursor"], limit=filters["limit"]
        )
        results = [shown(row) for row in page.results] if shown is not None else page.results
        return Response(self.OutputSerializer({**extra, "results": results, "next": page.next}).data)


def created(data: dict[str, Any]) -> Response:
    """The answer to a POST that made something: the new thing, 201."""
    return Response(data, status=status.HTTP_201_CREATED)


def sender_unit_field(help_text: str = "") -> serializers.CharField:
    """The acronym of the unit the caller acts for (blank: their only one, or the default)."""
    if help_text:
        return serializers.CharField(
            required=False, allow_blank=True, default="", max_length=40, help_text=help_text
        )
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


def own_unit_if_named(acronym: str, allowed_ids: Collection[int]) -> OrgUnit | None:
    """The unit named, if the caller may act for it; None when none is named (the service decides)."""
    return own_unit(acronym, allowed_ids) if acronym else None


def comms_schema(
    *,
    tags: list[str],
    output: Any,
    status_code: int = 200,
    path: OpenApiParameter | None = None,
    query: type[serializers.Serializer] | None = None,
    **described: Any,
) -> Callable[[Any], Any]:
    """The OpenAPI description of one endpoint: its path id and query, its answer and the shared
    errors, its tag; `described` is the rest (`operation_id`, `summary`, `description`, `request`)."""
    if path is not None or query is not None:
        described["parameters"] = [parameter for parameter in (path, query) if parameter is not None]
    return extend_schema(responses={status_code: output, **ERROR_RESPONSES}, tags=tags, **described)
