from django.db import transaction
from django.utils.translation import gettext as _

from paco.errors import ApplicationError

from .enums import OrgUnitKind, Role
from .models import Membership, OrgUnit


@transaction.atomic
def org_unit_ensure(
    *, code: str, acronym: str, name: str, kind: str, parent: OrgUnit | None = None
) -> OrgUnit:
    """Create the unit, or return the existing one with that code (idempotent seeding)."""
    if kind not in OrgUnitKind.values:
        raise ApplicationError(_("Tipo de unidade desconhecido: %(kind)s.") % {"kind": kind})
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is not None:
        if unit.acronym != acronym:
            raise ApplicationError(
                _("O código %(code)s já pertence à unidade %(unit_acronym)s.")
                % {"code": code, "unit_acronym": unit.acronym}
            )
        return unit
    if OrgUnit.objects.filter(acronym=acronym).exists():
        raise ApplicationError(_("Já existe uma unidade com a sigla %(acronym)s.") % {"acronym": acronym})
    unit = OrgUnit(code=code, acronym=acronym, name=name, kind=kind, parent=parent)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def membership_ensure(*, user_id: int, unit: OrgUnit, role: str = Role.STAFF) -> Membership:
    if role not in Role.values:
        raise ApplicationError(_("Papel desconhecido: %(role)s.") % {"role": role})
    membership, _created = Membership.objects.get_or_create(user_id=user_id, unit=unit, role=role)
    return membership
