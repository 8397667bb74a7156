"""Provisioning step: the municipality's first admin (runs inside its schema)."""

from typing import Any

from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import membership_ensure

from .enums import UserKind
from .models import User
from .services import user_ensure


def municipal_admin_seed(*, municipality: Any, spec: Any) -> User | None:
    admin = spec.admin
    if admin is None:
        return None
    user = user_ensure(
        email=admin.email, full_name=admin.full_name, kind=UserKind.STAFF, password=admin.password
    )
    units = (
        OrgUnit.objects.filter(acronym=admin.unit)
        if admin.unit
        else OrgUnit.objects.filter(parent__isnull=True)
    )
    top_unit = units.order_by("code").first()
    if top_unit is not None:
        membership_ensure(user_id=user.pk, unit=top_unit, role=Role.ADMIN)
    return user
