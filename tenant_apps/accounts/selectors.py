"""Reads of accounts: staff invitations and the municipal admin's staff list."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.tokens import token_hash
from paco.viewer import Viewer
from tenant_apps.org.models import Membership

from .enums import UserKind
from .models import StaffInvitation, User


def user_is_staff(user: Viewer) -> bool:
    """A logged-in staff account (servidor)."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", None) == UserKind.STAFF


def staff_active_by_email(*, emails: Iterable[str]) -> dict[str, User]:
    """Active staff accounts among the addresses, keyed by lower-case e-mail; unknown ones are absent."""
    users = User.objects.filter(email__in=list(emails), kind=UserKind.STAFF, is_active=True)
    return {user.email.lower(): user for user in users}


def invitation_get_by_token(raw_token: str) -> StaffInvitation | None:
    """The invitation the link refers to, whatever its state (None when unknown)."""
    return StaffInvitation.objects.select_related("user").filter(token_hash=token_hash(raw_token)).first()


def invitation_problem(invitation: StaffInvitation | None) -> str | None:
    """Why the invitation cannot be used any more, in Portuguese (None when it can)."""
    if invitation is None:
        return _("Convite não encontrado. Confira o endereço recebido por e-mail.")
    if invitation.accepted_at is not None:
        return _("Este convite já foi usado. Entre com o seu e-mail e a senha que você criou.")
    if invitation.revoked_at is not None:
        return _("Este convite foi cancelado. Peça um novo convite ao administrador da prefeitura.")
    if invitation.expires_at <= timezone.now():
        return _("Este convite expirou. Peça um novo convite ao administrador da prefeitura.")
    if not invitation.user.is_active:
        return _("Esta conta está desativada.")
    return None


def invitation_get(*, invitation_id: int) -> StaffInvitation | None:
    return StaffInvitation.objects.select_related("user").filter(pk=invitation_id).first()


def invitation_state(invitation: StaffInvitation | None) -> str:
    """pending, accepted, revoked or expired (empty without an invitation)."""
    if invitation is None:
        return ""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def staff_list_for_admin() -> QuerySet[User]:
    """Every staff account with its current lotações and invitations, newest invitation first."""
    today = timezone.localdate()
    current = (
        Membership.objects.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("unit")
        .order_by("unit__acronym", "role")
    )
    return (
        User.objects.filter(kind=UserKind.STAFF)
        .prefetch_related(
            Prefetch("memberships", queryset=current, to_attr="current_memberships"),
            Prefetch(
                "staff_invitations",
                queryset=StaffInvitation.objects.order_by("-created_at", "-pk"),
                to_attr="invitations_newest_first",
            ),
        )
        .order_by("full_name", "email")
    )
