"""Vendor support's writes: actions on a city (audited) and read-only support sessions inside it.

A support session is the only way support sees a city: support asks (with a reason and the staff
account to see the city as), the city's policy or its municipal admins approve, support follows a
one-time link to the city's host, and every request of the session is recorded. Sessions never
write: the middleware refuses every unsafe method except leaving the session.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import get_urlconf, reverse, set_urlconf
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from paco.tokens import token_hash, token_new
from tenants.enums import MunicipalityStatus
from tenants.models import Municipality
from tenants.selectors import municipality_base_url
from tenants.services import municipality_last_activity_set, municipality_lock, municipality_set_status

from .enums import OPEN_STATUSES, AccessMode, SessionStatus, SupportAction
from .models import SupportAccessPolicy, SupportActionLog, SupportAuditEntry, SupportSession
from .selectors import support_policy_mode

logger = logging.getLogger(__name__)

STAFF_KIND = "staff"  # tenant_apps.accounts.enums.UserKind.STAFF, which shared apps do not import
MINIMUM_REASON_LENGTH = 15
MINIMUM_SUSPENSION_REASON_LENGTH = 5


def _action_log(
    *, municipality: Municipality, support_email: str, action: str, detail: str = ""
) -> SupportActionLog:
    return SupportActionLog.objects.create(
        municipality=municipality,
        support_email=support_email,
        action=action,
        detail=detail,
        at=timezone.now(),
    )


def support_action_record(
    *, municipality: Municipality, support_email: str, action: str, detail: str = ""
) -> SupportActionLog:
    """Audit one action support took on a city (other control-plane apps: exports)."""
    return _action_log(municipality=municipality, support_email=support_email, action=action, detail=detail)


def support_admins_notify(*, municipality: Municipality, subject: str, lines: list[str]) -> None:
    """E-mail the city's municipal admins after commit (with the link to the support access page)."""
    _admins_notify(municipality, subject, lines)


# --- actions on a city ----------------------------------------------------------------------------


@transaction.atomic
def municipality_suspend(*, municipality: Municipality, support_email: str, reason: str) -> Municipality:
    """Suspend a city (read-only for everyone, whatever billing says) until support reactivates it."""
    reason = reason.strip()
    if len(reason) < MINIMUM_SUSPENSION_REASON_LENGTH:
        raise ApplicationError(_("Informe o motivo da suspensão."), extra={"field": "reason"})
    municipality = municipality_lock(municipality_id=municipality.pk)
    if municipality.status == MunicipalityStatus.SUSPENDED:
        raise ApplicationError(_("O município já está suspenso."))
    previous = municipality.status
    municipality_set_status(municipality=municipality, status=MunicipalityStatus.SUSPENDED)
    _action_log(
        municipality=municipality,
        support_email=support_email,
        action=SupportAction.SUSPEND,
        detail=_("%(previous)s → suspenso. Motivo: %(reason)s") % {"previous": previous, "reason": reason},
    )
    return municipality


def _status_after_suspension(municipality: Municipality, *, now: dt.datetime) -> str:
    from shared_apps.billing.models import Subscription
    from shared_apps.billing.services import municipality_status_for

    subscription = Subscription.objects.filter(municipality=municipality).first()
    if subscription is None:
        return MunicipalityStatus.TRIAL
    return municipality_status_for(subscription=subscription, now=now) or MunicipalityStatus.ACTIVE


@transaction.atomic
def municipality_reactivate(*, municipality: Municipality, support_email: str) -> Municipality:
    """Lift a suspension: the city goes back to what its subscription implies (trial without one)."""
    municipality = municipality_lock(municipality_id=municipality.pk)
    if municipality.status != MunicipalityStatus.SUSPENDED:
        raise ApplicationError(_("O município não está suspenso."))
    target = _status_after_suspension(municipality, now=timezone.now())
    municipality_set_status(municipality=municipality, status=target)
    _action_log(
        municipality=municipality,
        support_email=support_email,
        action=SupportAction.REACTIVATE,
        detail=_("suspenso → %(status)s") % {"status": target},
    )
    return municipality


@transaction.atomic
def municipality_trial_extend(*, municipality: Municipality, support_email: str, days: int) -> Any:
    from shared_apps.billing.services import subscription_trial_extend

    subscription = subscription_trial_extend(municipality=municipality, days=days)
    _action_log(
        municipality=municipality,
        support_email=support_email,
        action=SupportAction.TRIAL_EXTEND,
        detail=_("+%(days)d dias; avaliação até %(end)s")
        % {"days": days, "end": timezone.localtime(subscription.trial_end).strftime("%d/%m/%Y %H:%M")},
    )
    return subscription


@contextmanager
def _city_urlconf() -> Iterator[None]:
    """Links the city's code builds (reverse) are the city's, even from a control-plane request."""
    previous = get_urlconf()
    set_urlconf(settings.ROOT_URLCONF)
    try:
        yield
    finally:
        set_urlconf(previous)


def _pending_signup(municipality: Municipality) -> Any:
    try:
        from shared_apps.onboarding.enums import SignupStatus
        from shared_apps.onboarding.models import Signup
    except ImportError:  # pragma: no cover - onboarding not installed
        return None
    from django.db.models import Q

    return (
        Signup.objects.filter(status=SignupStatus.PENDING_VERIFICATION)
        .filter(Q(municipality=municipality) | Q(ibge_code=municipality.ibge_code))
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def municipality_invite_resend(*, municipality: Municipality, support_email: str) -> str:
    """Send again the first e-mail of a city: the signup's verification link while the signup waits
    for it, otherwise the invitation of the municipal admins who never chose a password. Returns
    what was sent, for the message shown to support."""
    signup = _pending_signup(municipality)
    if signup is not None:
        from shared_apps.onboarding.services import signup_verification_resend

        signup_verification_resend(signup=signup)
        detail = _("Link de confirmação do cadastro reenviado para %(email)s.") % {
            "email": signup.admin_email
        }
    else:
        name = getattr(settings, "SUPPORT_INVITE_RESEND", "")
        try:
            resend = import_string(name)
        except ImportError as error:
            raise ApplicationError(_("O reenvio de convites ainda não está disponível.")) from error
        with tenant_context(municipality), _city_urlconf():
            sent = resend()
        if not sent:
            raise ApplicationError(
                _("Não há convite pendente: os administradores do município já definiram a senha.")
            )
        detail = _("Convite dos administradores municipais reenviado.")
    _action_log(
        municipality=municipality,
        support_email=support_email,
        action=SupportAction.INVITE_RESEND,
        detail=detail,
    )
    return detail


# --- support sessions -----------------------------------------------------------------------------


def _admin_emails(municipality: Municipality) -> list[str]:
    with tenant_context(municipality):
        return list(import_string(settings.SUPPORT_ADMIN_EMAILS)())


def _admin_page_url(municipality: Municipality) -> str:
    path = reverse("support_tenant:admin_page", urlconf=settings.ROOT_URLCONF)
    return municipality_base_url(municipality) + path


def local_time(*, municipality: Municipality, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo(municipality.time_zone))


def _admins_notify(municipality: Municipality, subject: str, lines: list[str]) -> None:
    recipients = _admin_emails(municipality)
    if not recipients:
        return
    body = "\n".join(
        [*lines, "", _("Página de acesso do suporte: %(url)s") % {"url": _admin_page_url(municipality)}]
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
    )


@transaction.atomic
def support_policy_set(*, municipality: Municipality, mode: str, changed_by: str) -> SupportAccessPolicy:
    if mode not in AccessMode.values:
        raise ApplicationError(_("Escolha uma das opções de acesso."), extra={"field": "mode"})
    policy, _created = SupportAccessPolicy.objects.update_or_create(
        municipality=municipality, defaults={"mode": mode, "changed_by": changed_by}
    )
    return policy


def _target_staff(email: str) -> Any:
    """The active staff account with this e-mail in the current schema (never a citizen)."""
    return (
        get_user_model().objects.filter(email__iexact=email.strip(), kind=STAFF_KIND, is_active=True).first()
    )


@transaction.atomic
def support_session_request(
    *,
    municipality: Municipality,
    support_email: str,
    support_name: str,
    reason: str,
    target_email: str,
    minutes: int = settings.SUPPORT_SESSION_MINUTES_DEFAULT,
) -> SupportSession:
    """Ask to see the city as `target_email` (a staff account) for `minutes`. Approved at once when
    the city allows support, waiting for an admin when it asks for approval, refused when blocked."""
    reason = reason.strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise ApplicationError(
            _("Explique o motivo em pelo menos %(count)d caracteres.") % {"count": MINIMUM_REASON_LENGTH},
            extra={"field": "reason"},
        )
    low, high = settings.SUPPORT_SESSION_MINUTES_MIN, settings.SUPPORT_SESSION_MINUTES_MAX
    if not low <= minutes <= high:
        raise ApplicationError(
            _("A duração vai de %(low)d a %(high)d minutos.") % {"low": low, "high": high},
            extra={"field": "minutes"},
        )
    mode = support_policy_mode(municipality=municipality)
    if mode == AccessMode.BLOCKED:
        raise ApplicationError(
            _(
                "Os administradores de %(city)s bloquearam o acesso do suporte. Peça a eles que"
                " liberem o acesso na página “Acesso do suporte” da administração municipal."
            )
            % {"city": municipality.display_name}
        )
    with tenant_context(municipality):
        target = _target_staff(target_email)
    if target is None:
        raise ApplicationError(
            _("Não há servidor ativo com este e-mail em %(city)s.") % {"city": municipality.display_name},
            extra={"field": "target_email"},
        )
    now = timezone.now()
    allowed = mode == AccessMode.ALLOWED
    session = SupportSession.objects.create(
        municipality=municipality,
        support_email=support_email,
        support_name=support_name,
        reason=reason,
        target_email=target.email,
        target_name=target.full_name,
        minutes=minutes,
        status=SessionStatus.APPROVED if allowed else SessionStatus.REQUESTED,
        requested_at=now,
        decided_by=_("automático (acesso liberado)") if allowed else "",
        decided_at=now if allowed else None,
    )
    _action_log(
        municipality=municipality,
        support_email=support_email,
        action=SupportAction.SESSION_REQUEST,
        detail=_("Sessão %(id)d como %(target)s por %(minutes)d min: %(reason)s")
        % {"id": session.pk, "target": target.email, "minutes": minutes, "reason": reason},
    )
    lines = [
        _(
            "%(name)s (%(email)s), do suporte do Paço, pediu para ver o sistema como %(target)s"
            " por %(minutes)d minutos, somente leitura."
        )
        % {"name": support_name, "email": support_email, "target": target.email, "minutes": minutes},
        _("Motivo: %(reason)s") % {"reason": reason},
        _("O acesso foi liberado automaticamente pela política do município.")
        if allowed
        else _("O acesso só acontece se um administrador aprovar."),
    ]
    _admins_notify(municipality, _("Pedido de acesso do suporte do Paço"), lines)
    return session


def _locked(session: SupportSession) -> SupportSession:
    return SupportSession.objects.select_for_update().select_related("municipality").get(pk=session.pk)


@transaction.atomic
def support_session_decide(*, session: SupportSession, approve: bool, admin_email: str) -> SupportSession:
    session = _locked(session)
    if session.status != SessionStatus.REQUESTED:
        raise ApplicationError(_("Este pedido já foi decidido."))
    session.status = SessionStatus.APPROVED if approve else SessionStatus.DENIED
    session.decided_by = admin_email
    session.decided_at = timezone.now()
    session.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return session


@transaction.atomic
def support_session_handoff(*, session: SupportSession, support_email: str) -> str:
    """A one-time token (valid SUPPORT_HANDOFF_SECONDS) for the requester to enter the city."""
    session = _locked(session)
    if session.support_email != support_email:
        raise ApplicationError(_("Só quem pediu a sessão pode entrar com ela."))
    if session.status != SessionStatus.APPROVED:
        raise ApplicationError(_("A sessão precisa estar aprovada (e ainda não usada) para entrar."))
    if support_policy_mode(municipality=session.municipality) == AccessMode.BLOCKED:
        raise ApplicationError(_("Os administradores do município bloquearam o acesso do suporte."))
    token = token_new()
    now = timezone.now()
    session.handoff_token_hash = token_hash(token)
    session.handoff_expires_at = now + dt.timedelta(seconds=settings.SUPPORT_HANDOFF_SECONDS)
    session.save(update_fields=["handoff_token_hash", "handoff_expires_at", "updated_at"])
    _action_log(
        municipality=session.municipality,
        support_email=support_email,
        action=SupportAction.SESSION_ENTER,
        detail=_("Sessão %(id)d: link de entrada gerado") % {"id": session.pk},
    )
    return token


def handoff_url(*, session: SupportSession, token: str) -> str:
    path = reverse("support_tenant:enter", urlconf=settings.ROOT_URLCONF, kwargs={"token": token})
    return municipality_base_url(session.municipality) + path


@transaction.atomic
def support_session_start(
    *, municipality: Municipality, token: str
) -> tuple[SupportSession, Any, TOTPDevice]:
    """Use a handoff token on the city's host (current schema: the city's): the session starts and
    its clock runs from now. Returns the session, the staff account and its confirmed device."""
    session = (
        SupportSession.objects.select_for_update()
        .select_related("municipality")
        .filter(handoff_token_hash=token_hash(token), municipality=municipality)
        .first()
    )
    now = timezone.now()
    if (
        session is None
        or session.handoff_used_at is not None
        or session.handoff_expires_at is None
        or session.handoff_expires_at < now
        or session.status != SessionStatus.APPROVED
    ):
        raise ApplicationError(_("Link de acesso inválido, expirado ou já usado."))
    target = _target_staff(session.target_email)
    device = TOTPDevice.objects.filter(user=target, confirmed=True).first() if target else None
    if target is None or device is None:
        raise ApplicationError(
            _("A conta %(email)s não está ativa ou não tem a verificação em duas etapas ativada.")
            % {"email": session.target_email}
        )
    session.status = SessionStatus.ACTIVE
    session.started_at = now
    session.expires_at = now + dt.timedelta(minutes=session.minutes)
    session.handoff_used_at = now
    session.save(update_fields=["status", "started_at", "expires_at", "handoff_used_at", "updated_at"])
    until = local_time(municipality=municipality, moment=session.expires_at).strftime("%H:%M")
    _admins_notify(
        municipality,
        _("O suporte do Paço entrou no sistema"),
        [
            _(
                "%(name)s (%(email)s), do suporte do Paço, está vendo o sistema como %(target)s"
                " até %(until)s, somente leitura."
            )
            % {
                "name": session.support_name,
                "email": session.support_email,
                "target": session.target_email,
                "until": until,
            },
            _("Motivo: %(reason)s") % {"reason": session.reason},
            _(
                "Cada página aberta fica registrada; um administrador pode encerrar a sessão"
                " a qualquer momento."
            ),
        ],
    )
    return session, target, device


@transaction.atomic
def support_session_end(*, session: SupportSession, ended_by: str) -> SupportSession:
    """End a request, an approval not used yet or a running session (by support or an admin)."""
    session = _locked(session)
    if session.status not in OPEN_STATUSES:
        raise ApplicationError(_("Esta sessão já terminou."))
    session.status = SessionStatus.ENDED
    session.ended_at = timezone.now()
    session.ended_by = ended_by
    session.save(update_fields=["status", "ended_at", "ended_by", "updated_at"])
    return session


def support_sessions_expire(*, now: dt.datetime | None = None) -> int:
    """Running sessions past their time become expired; returns how many (hourly job, idempotent).
    One UPDATE, atomic on its own."""
    from django.db.models import F

    now = now or timezone.now()
    return SupportSession.objects.filter(status=SessionStatus.ACTIVE, expires_at__lte=now).update(
        status=SessionStatus.EXPIRED, ended_at=F("expires_at"), ended_by=_("tempo esgotado"), updated_at=now
    )


def support_audit_record(*, session_id: int, method: str, path: str, status_code: int) -> SupportAuditEntry:
    """One audit row per request of a support session (one INSERT, atomic on its own)."""
    return SupportAuditEntry.objects.create(
        session_id=session_id, at=timezone.now(), method=method[:8], path=path[:500], status_code=status_code
    )


# --- activity and errors --------------------------------------------------------------------------


def municipality_activity_touch(*, municipality_id: int, now: dt.datetime | None = None) -> bool:
    """Record that the city was used now, at most once every SUPPORT_ACTIVITY_THROTTLE_SECONDS
    (`cache.add` lets one request in per period). Returns whether it wrote."""
    from django.core.cache import cache

    key = f"support:activity:{municipality_id}"
    if not cache.add(key, 1, timeout=settings.SUPPORT_ACTIVITY_THROTTLE_SECONDS):
        return False
    municipality_last_activity_set(municipality_id=municipality_id, at=now or timezone.now())
    return True


def error_tally_increment(*, municipality_id: int, now: dt.datetime | None = None) -> bool:
    """Count one error of a city (this local hour), in a small transaction of its own. Called while
    another error is being handled: it never raises, so a broken connection cannot mask that error.
    Returns whether it was counted."""
    from paco import clusters

    from .models import ErrorTally

    # the control plane's connection, also while a city on another cluster is active
    connection = clusters.control_plane_connection()
    local = timezone.localtime(now or timezone.now())
    table = connection.ops.quote_name(ErrorTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} (municipality_id, day, hour, count) VALUES (%s, %s, %s, 1)"  # noqa: S608
        f" ON CONFLICT (municipality_id, day, hour) DO UPDATE SET count = {table}.count + 1"
    )
    try:
        with transaction.atomic(using=clusters.CONTROL_PLANE_ALIAS), connection.cursor() as cursor:
            cursor.execute(sql, [municipality_id, local.date(), local.hour])
    except Exception:  # noqa: BLE001 - see the docstring
        logger.warning("could not count an error of municipality %s", municipality_id, exc_info=True)
        return False
    return True


def support_session_expire_one(*, session: SupportSession) -> None:
    """A running session seen past its time (by the middleware) becomes expired (one UPDATE, atomic on
    its own)."""
    SupportSession.objects.filter(pk=session.pk, status=SessionStatus.ACTIVE).update(
        status=SessionStatus.EXPIRED,
        ended_at=session.expires_at,
        ended_by=_("tempo esgotado"),
        updated_at=timezone.now(),
    )
