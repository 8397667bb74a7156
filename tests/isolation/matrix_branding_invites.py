"""Isolation-harness entries of one module (merged by tests/isolation/test_isolation.py).

TENANT_MATRIX / PUBLIC_MATRIX: route name -> method -> role -> status, as in test_isolation.py.
PARAMETER_FACTORIES: route parameter -> (municipality B) -> value, for the city's routes.
PUBLIC_PARAMETER_FACTORIES: route parameter -> (municipality) -> value, for the control plane's
routes (the municipality is Aracaju for the matrix, Gravataí for the cross-tenant checks).

Branding (/admin-municipal/marca/) and the team page (/admin-municipal/equipe/) are the municipal
admin's: other staff get a 404, the rest are sent to the staff login; an empty POST is a form with
errors (400). The invitation link is a bearer secret that shows the person's name and e-mail, so the
harness asks for one that does not exist (404 for everyone). The sample invitation is a pending one
of a person who never chose a password: the admin resends or cancels it (302 back to the team page).
"""

from __future__ import annotations

from django_tenants.utils import tenant_context

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
ROLES = ("anonymous", "citizen", "staff", "manager", "admin", "support")

SAMPLE_INVITEE_NAME = "Convidada da Amostra de Isolamento"


def invitation_id_of(municipality) -> int:
    """A pending invitation of `municipality` (a new one when a test resent or cancelled it)."""
    from django.utils import timezone

    from tenant_apps.accounts.models import StaffInvitation
    from tenant_apps.accounts.services import staff_invite
    from tenant_apps.org.models import OrgUnit

    email = f"convidada.isolamento@{municipality.slug}.gov.br"
    with tenant_context(municipality):
        invitation = StaffInvitation.objects.filter(
            user__email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).first()
        if invitation is None:
            invitation, _token = staff_invite(
                invited_by=None,
                email=email,
                full_name=SAMPLE_INVITEE_NAME,
                unit=OrgUnit.objects.filter(is_active=True).order_by("code").first(),
                role="staff",
            )
        return invitation.pk


_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}
_admin_form = {"GET": {**_admin_nobody, "admin": OK}, "POST": {**_admin_nobody, "admin": BAD}}
_admin_action = {"GET": dict.fromkeys(ROLES, NOT_ALLOWED), "POST": {**_admin_nobody, "admin": REDIRECT}}

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "branding:edit": _admin_form,
    "accounts:staff_team": _admin_form,
    "accounts:invitation_accept": {
        "GET": dict.fromkeys(ROLES, NOT_FOUND),
        "POST": dict.fromkeys(ROLES, NOT_FOUND),
    },
    "accounts:invitation_resend": _admin_action,
    "accounts:invitation_revoke": _admin_action,
}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PARAMETER_FACTORIES: dict[str, object] = {
    "invitation_token": lambda municipality: "convite-inexistente",
    "invitation_id": invitation_id_of,
}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}
