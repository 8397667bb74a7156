"""What the memo and circular APIs share: error responses, page parameters, units and staff by name."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from paco.errors import api_error_responses
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
