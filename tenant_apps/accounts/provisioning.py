"""Provisioning step: the municipality's first admin (runs inside its schema)."""

from typing import Any

from django.utils import timezone

from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import membership_ensure

from .enums import UserKind
from .models import StaffInvitation, User
from .services import invitation_create, user_ensure


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


def municipal_admin_invite(*, municipality: Any, spec: Any) -> StaffInvitation | None:
    """Provisioning step: a self-onboarded city's first admin has no password yet, so they get an
    invitation by e-mail to choose one. Admins with a password (the demo cities) get none, and a
    pending invitation is never doubled (provisioning is idempotent)."""
    admin = spec.admin
    if admin is None:
        return None
    user = User.objects.filter(email=admin.email.strip().lower(), kind=UserKind.STAFF).first()
    if user is None or user.has_usable_password() or not user.is_active:
        return None
    if StaffInvitation.objects.filter(
        user=user, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists():
        return None
    invitation, _raw_token = invitation_create(user=user, invited_by=None)
    return invitation
