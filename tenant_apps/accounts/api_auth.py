"""Who may call the REST API: per-city tokens, and the second factor for staff.

Tokens live in each city's schema (`rest_framework.authtoken` is a tenant app), so a token is
looked up only among the accounts of the host's city: Gravataí's token on Aracaju's host is
simply unknown there (401). Staff reach staff endpoints only after a second factor: a session
must be OTP-verified (django-otp), and a token is issued only to, and honoured only for, staff
with a confirmed TOTP device (`api_token_issue`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from paco.schemas import current_schema_name
from paco.viewer import Viewer

from .enums import UserKind


class TenantTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, looked up in the host's city schema only.

    The control plane (`public`) has no token table: there a token header is ignored rather
    than turned into a database error.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if current_schema_name() == "public":
            return None
        return super().authenticate(request)


def staff_second_factor_passed(request: Request) -> bool:
    """A session passed the TOTP step; a token belongs to staff who still have a confirmed device."""
    user = request.user
    if isinstance(request.successful_authenticator, TokenAuthentication):
        return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _is_staff(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", None) == UserKind.STAFF)


def _is_citizen(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", None) == UserKind.CITIZEN)


class IsVerifiedStaff(BasePermission):
    """Municipal staff who passed the second factor."""

    message = _("Esta operação é só para servidores com a verificação em duas etapas concluída.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return _is_staff(request.user) and staff_second_factor_passed(request)


class IsCitizen(BasePermission):
    message = _("Esta operação é só para cidadãos.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return _is_citizen(request.user)


class IsCitizenOrVerifiedStaff(BasePermission):
    message = _("Entre como cidadão, ou como servidor com a verificação em duas etapas concluída.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if _is_citizen(request.user):
            return True
        return _is_staff(request.user) and staff_second_factor_passed(request)
