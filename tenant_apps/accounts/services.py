import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from validate_docbr import CPF

from paco.errors import ApplicationError
from paco.schemas import current_schema_name, current_tenant
from paco.tokens import token_hash, token_new
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import membership_ensure
from tenants.selectors import municipality_base_url

from .enums import UserKind
from .models import StaffInvitation, User
from .selectors import invitation_problem

logger = logging.getLogger(__name__)

ACTIVATION_SALT = "paco.accounts.citizen_activation"


def cpf_normalize(*, value: str) -> str:
    """Digits only; raise a Portuguese error unless the two check digits are right."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 11 or not CPF().validate(digits):
        raise ApplicationError(_("CPF inválido: confira os números digitados."), extra={"field": "cpf"})
    return digits


def _password_check(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(_(" ").join(error.messages), extra={"field": "password"}) from error


def citizen_awaiting_activation(*, user: User) -> bool:
    """A citizen's web signup whose activation link was never followed (no one ever logged in)."""
    return (
        user.kind == UserKind.CITIZEN
        and not user.is_active
        and user.last_login is None
        and user.has_usable_password()
    )


def _activation_state(user: User) -> str:
    # changes as soon as the account is activated, its password changes or a newer signup replaces
    # it: the link is good once (like Django's password reset token)
    return salted_hmac(
        ACTIVATION_SALT, f"{user.pk}:{user.password}:{user.is_active}:{user.last_login}:{user.email}"
    ).hexdigest()[:32]


def citizen_activation_token(*, user: User) -> str:
    """A signed, timestamped token for `user`'s activation link (never stored, never logged)."""
    return signing.dumps(
        {"u": user.pk, "s": _activation_state(user)}, salt=f"{ACTIVATION_SALT}:{current_schema_name()}"
    )


def citizen_activation_user(*, token: str) -> User | None:
    """The account an activation link opens, or None when it is forged, expired, used or replaced."""
    try:
        payload = signing.loads(
            token,
            salt=f"{ACTIVATION_SALT}:{current_schema_name()}",
            max_age=timedelta(hours=settings.CITIZEN_ACTIVATION_HOURS),
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = User.objects.filter(pk=int(payload["u"])).first()
    if user is None or not citizen_awaiting_activation(user=user):
        return None
    if not constant_time_compare(str(payload.get("s", "")), _activation_state(user)):
        return None
    return user


@transaction.atomic
def citizen_activate(*, token: str) -> User:
    """Follow an activation link: the account becomes active; the link then opens nothing."""
    user = citizen_activation_user(token=token)
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
        user = user if citizen_activation_user(token=token) is not None else None
    if user is None:
        raise ApplicationError(
            _(
                "Este link de ativação não vale mais: ele expirou, já foi usado ou um cadastro mais novo"
                " o substituiu."
            )
        )
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
    logger.info("citizen account %s activated", user.pk)
    return user


def user_lock_active(*, user_id: int) -> User | None:
    """The active account, locked until the caller's transaction ends (None when gone or inactive).

    For a service of another app that must serialise work per person (scheduling's bookings)."""
    return User.objects.select_for_update().filter(pk=user_id, is_active=True).first()


@transaction.atomic
def citizen_signup(*, full_name: str, cpf: str, email: str, password: str, phone: str = "") -> None:
    """A citizen's web signup. Answers the same whether or not the e-mail or CPF has an account;
    the e-mail says which (issue 10, finding 8).

    - new e-mail and CPF: an account that stays inactive until the e-mailed activation link is
      followed (a signed token valid for CITIZEN_ACTIVATION_HOURS, good once);
    - the e-mail has an account: that address is told someone tried to sign up with it (log in or
      choose a new password); nothing changes;
    - the CPF has an account under another e-mail: the given address is told the account could not be
      created and the CPF's account is told someone tried; nothing changes.
    A signup never activated is replaced by a newer one with its e-mail or CPF (the older link dies).
    """
    cpf_digits = cpf_normalize(value=cpf)
    email = email.strip().lower()
    full_name = full_name.strip()
    candidate = User(
        email=email, full_name=full_name, cpf=cpf_digits, phone=phone.strip(), kind=UserKind.CITIZEN
    )
    _password_check(password, candidate)
    by_email = User.objects.select_for_update().filter(email=email).first()
    by_cpf = User.objects.select_for_update().filter(cpf=cpf_digits).first()
    if by_email is not None and not citizen_awaiting_activation(user=by_email):
        _signup_mail_on_commit(kind="existing_email", to=by_email.email, name=by_email.full_name)
        logger.info("citizen signup for an existing account (user %s): mailed, nothing changed", by_email.pk)
        return
    if by_cpf is not None and not citizen_awaiting_activation(user=by_cpf):
        _signup_mail_on_commit(kind="cpf_taken", to=email, name=full_name)
        if not by_cpf.email.endswith(".invalid"):
            _signup_mail_on_commit(kind="cpf_owner", to=by_cpf.email, name=by_cpf.full_name)
        logger.info("citizen signup with the CPF of user %s: mailed, nothing changed", by_cpf.pk)
        return
    user = by_email or by_cpf or User(kind=UserKind.CITIZEN, is_active=False)
    if by_email is not None and by_cpf is not None and by_cpf.pk != by_email.pk:
        by_cpf.cpf = None  # an older, never activated signup gives the CPF up
        by_cpf.save(update_fields=["cpf", "updated_at"])
    user.email, user.full_name, user.cpf, user.phone = email, full_name, cpf_digits, phone.strip()
    user.is_active = False
    user.set_password(password)
    user.save()
    _signup_mail_on_commit(kind="activation", to=email, name=full_name, user=user)
    logger.info("citizen signup: account %s awaits activation", user.pk)


@transaction.atomic
def citizen_pending_signups_release(*, cpf: str, email: str = "") -> int:
    """Drop never-activated web signups holding `cpf` or `email`, for a person whose identity
    gov.br has verified: a signup nobody confirmed never blocks the real owner. Returns how many."""
    pending = [
        user
        for user in User.objects.select_for_update().filter(
            Q(cpf=cpf) | Q(email=email.strip().lower()) if email.strip() else Q(cpf=cpf)
        )
        if citizen_awaiting_activation(user=user)
    ]
    for user in pending:
        logger.info("never-activated signup %s released for a gov.br sign-in", user.pk)
        user.delete()
    return len(pending)


def citizen_activation_url(*, user: User) -> str:
    path = reverse("accounts:activate", kwargs={"activation_token": citizen_activation_token(user=user)})
    return f"{municipality_base_url(current_tenant())}{path}"


def _signup_mail_on_commit(*, kind: str, to: str, name: str, user: User | None = None) -> None:
    municipality = current_tenant()
    base = municipality_base_url(municipality)
    values = {
        "name": name,
        "city": municipality.display_name,
        "login": f"{base}{reverse('accounts:login')}",
        "reset": f"{base}{reverse('accounts:password_reset')}",
        "hours": settings.CITIZEN_ACTIVATION_HOURS,
    }
    if kind == "activation":
        assert user is not None  # noqa: S101 - the activation mail is for the account just saved
        values["link"] = citizen_activation_url(user=user)
        subject = _("Ative a sua conta — %(city)s") % values
        body = (
            _(
                "Olá, %(name)s.\n\n"
                "Recebemos o seu cadastro no Paço — %(city)s. Para ativar a conta, abra o endereço abaixo "
                "(válido por %(hours)s horas e para um só uso):\n%(link)s\n\n"
                "A conta só passa a valer depois disso. Se você não pediu este cadastro, ignore esta "
                "mensagem: nenhuma conta será ativada."
            )
            % values
        )
    elif kind == "existing_email":
        subject = _("Tentativa de cadastro com o seu e-mail — %(city)s") % values
        body = (
            _(
                "Olá, %(name)s.\n\n"
                "Alguém tentou criar uma conta no Paço — %(city)s com este endereço de e-mail, que já tem "
                "uma conta. Se foi você, entre com o seu e-mail e a sua senha:\n%(login)s\n\n"
                "ou, se não lembra a senha, crie uma nova:\n%(reset)s\n\n"
                "Se não foi você, ignore esta mensagem: nada mudou na sua conta."
            )
            % values
        )
    elif kind == "cpf_taken":
        subject = _("Não foi possível criar a sua conta — %(city)s") % values
        body = (
            _(
                "Olá, %(name)s.\n\n"
                "Recebemos um pedido de cadastro com este e-mail no Paço — %(city)s, mas não foi possível "
                "criar a conta com os dados informados. Se você já tem conta nesta prefeitura, entre:\n"
                "%(login)s\n\nou crie uma nova senha:\n%(reset)s\n\n"
                "Se precisar de ajuda, procure o atendimento da prefeitura. Se você não pediu este cadastro, "
                "ignore esta mensagem."
            )
            % values
        )
    else:
        subject = _("Tentativa de cadastro com o seu CPF — %(city)s") % values
        body = (
            _(
                "Olá, %(name)s.\n\n"
                "Alguém tentou criar uma conta no Paço — %(city)s com o seu CPF e outro endereço de e-mail. "
                "Nada mudou na sua conta. Se foi você, entre com o e-mail desta conta:\n%(login)s\n\n"
                "Se não foi você, procure o atendimento da prefeitura."
            )
            % values
        )

    def send() -> None:
        try:
            send_mail(subject, body, None, [to])
        except Exception:  # the person can sign up again; the link is never logged
            logger.exception("citizen signup e-mail (%s) could not be sent", kind)

    transaction.on_commit(send)


@transaction.atomic
def user_ensure(
    *,
    email: str,
    full_name: str,
    kind: str,
    password: str | None = None,
    cpf: str | None = None,
    is_active: bool = True,
) -> User:
    """Create the account if it does not exist (idempotent seeding); never changes an existing one.

    Without a password the account cannot log in with one; `is_active=False` makes an account
    that never logs in at all (a module's system user).
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None:
        if user.kind != kind:
            raise ApplicationError(
                _("O e-mail %(email)s já pertence a outro tipo de conta.") % {"email": email}
            )
        return user
    user = User(
        email=email,
        full_name=full_name,
        kind=kind,
        cpf=cpf_normalize(value=cpf) if cpf else None,
        is_active=is_active,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def totp_device_ensure(*, user: User, key_hex: str | None = None, confirmed: bool = True) -> TOTPDevice:
    """The user's TOTP second factor (a fresh random key unless one is given)."""
    device = TOTPDevice.objects.filter(user=user, name="default").first()
    if device is not None:
        return device
    fields = {"key": key_hex} if key_hex else {}
    return TOTPDevice.objects.create(user=user, name="default", confirmed=confirmed, **fields)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> TOTPDevice:
    if not device.verify_token(token.strip()):
        raise ApplicationError(
            _("Código inválido ou expirado. Confira o relógio do celular e tente de novo.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """A fresh REST API token for the account, replacing (revoking) any earlier one.

    Staff get one only with a confirmed TOTP device: a token skips the login form, so the second
    factor must already be in place (the API refuses the token again if the device goes away).
    """
    if not user.is_active or user.kind not in (UserKind.CITIZEN, UserKind.STAFF):
        raise ApplicationError(_("Esta conta não pode receber um token de API."))
    if user.kind == UserKind.STAFF and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(
            _("Servidores só recebem token de API depois de ativar a verificação em duas etapas.")
        )
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def citizen_ensure_at_counter(*, cpf: str, full_name: str, email: str = "", phone: str = "") -> User:
    """The citizen served at the counter (balcão): their account by CPF, or a new one without password.

    A new account has no password: it receives the case's notifications, and the citizen follows
    the case at the counter or by the links in those messages.
    """
    cpf_digits = cpf_normalize(value=cpf)
    existing = User.objects.filter(cpf=cpf_digits).first()
    if existing is not None:
        if existing.kind != UserKind.CITIZEN:
            raise ApplicationError(_("Este CPF pertence a uma conta de servidor."), extra={"field": "cpf"})
        return existing
    if not full_name.strip():
        raise ApplicationError(_("Informe o nome do requerente."), extra={"field": "full_name"})
    email = email.strip().lower()
    if not email:
        # accounts are keyed by e-mail; a requester without one gets a placeholder that never receives mail
        email = f"sem-email+{cpf_digits}@balcao.invalid"
    elif User.objects.filter(email=email).exists():
        raise ApplicationError(
            _("Este e-mail já pertence a outra conta (com outro CPF)."), extra={"field": "email"}
        )
    user = User(
        email=email, full_name=full_name.strip(), cpf=cpf_digits, phone=phone.strip(), kind=UserKind.CITIZEN
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def citizen_ensure_by_email(*, email: str, full_name: str, phone: str = "") -> User:
    """The active citizen account of `email` in this city, or a new one without password (no CPF).

    An existing account is used as it is: whoever asks (an API client) cannot change anyone's name
    or phone. A new account has no password; the person can set one with "esqueci a senha" later.
    """
    email = email.strip().lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        if existing.kind != UserKind.CITIZEN:
            raise ApplicationError(_("Este e-mail não pertence a uma conta de cidadão."))
        if not existing.is_active:
            raise ApplicationError(_("A conta deste e-mail está desativada."))
        return existing
    user = User(email=email, full_name=full_name, phone=phone.strip(), kind=UserKind.CITIZEN)
    user.set_unusable_password()
    user.save()
    return user


# Staff invitations ------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, user: User, invited_by: User | None) -> tuple[StaffInvitation, str]:
    """A fresh invitation for `user` (any earlier pending one is revoked) and its mail on commit."""
    now = timezone.now()
    StaffInvitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    raw_token = token_new()
    invitation = StaffInvitation.objects.create(
        user=user,
        token_hash=token_hash(raw_token),
        expires_at=now + timedelta(days=settings.STAFF_INVITATION_DAYS),
        invited_by=invited_by,
    )
    _invitation_mail_on_commit(invitation=invitation, raw_token=raw_token)
    return invitation, raw_token


def invitation_url(*, raw_token: str) -> str:
    """The absolute link of an invitation on the current city's host."""
    path = reverse("accounts:invitation_accept", kwargs={"invitation_token": raw_token})
    return f"{municipality_base_url(current_tenant())}{path}"


def _invitation_mail_on_commit(*, invitation: StaffInvitation, raw_token: str) -> None:
    municipality = current_tenant()
    link = invitation_url(raw_token=raw_token)
    days = settings.STAFF_INVITATION_DAYS
    subject = _("Convite para a área dos servidores — %(city)s") % {"city": municipality.display_name}
    body = _(
        "Olá, %(name)s.\n\n"
        "Você foi convidado(a) para a área dos servidores no Paço — %(city)s.\n\n"
        "Para criar a sua senha, abra o endereço abaixo (válido por %(days)s dias e para um só uso):\n"
        "%(link)s\n\n"
        "No primeiro acesso você também vai ativar a verificação em duas etapas com um aplicativo "
        "autenticador no celular.\n\n"
        "Se você não esperava este convite, ignore esta mensagem."
    ) % {"name": invitation.user.full_name, "city": municipality.display_name, "days": days, "link": link}
    recipient = invitation.user.email

    def send() -> None:
        try:
            send_mail(subject, body, None, [recipient])
        except Exception:  # the invitation stays pending: the admin can send it again
            logger.exception("staff invitation %s could not be mailed", invitation.pk)

    transaction.on_commit(send)


@transaction.atomic
def staff_invite(
    *, invited_by: User | None, email: str, full_name: str, unit: OrgUnit, role: str
) -> tuple[StaffInvitation, str]:
    """Invite a person to the staff area: their account (without a password), lotação and the e-mail.

    An existing staff account that never chose a password gets a fresh invitation (the old link
    stops working); a citizen's e-mail and a staff member who already has a password are refused.
    Returns the invitation and the raw token (only its hash is stored).
    """
    email = email.strip().lower()
    full_name = full_name.strip()
    if not email:
        raise ApplicationError(_("Informe o e-mail."), extra={"field": "email"})
    if not full_name:
        raise ApplicationError(_("Informe o nome completo."), extra={"field": "full_name"})
    if role not in Role.values:
        raise ApplicationError(_("Papel desconhecido: %(role)s.") % {"role": role}, extra={"field": "role"})
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, kind=UserKind.STAFF)
        user.set_unusable_password()
        try:
            user.full_clean()
        except ValidationError as error:
            raise ApplicationError(
                " ".join(error.messages), extra={"field": next(iter(error.message_dict), "email")}
            ) from error
        user.save()
    elif user.kind != UserKind.STAFF:
        raise ApplicationError(
            _("O e-mail %(email)s pertence a uma conta de cidadão e não pode ser convidado como servidor.")
            % {"email": email},
            extra={"field": "email"},
        )
    elif not user.is_active:
        raise ApplicationError(
            _("A conta de %(email)s está desativada.") % {"email": email}, extra={"field": "email"}
        )
    elif user.has_usable_password():
        raise ApplicationError(
            _("%(email)s já tem acesso à área dos servidores.") % {"email": email}, extra={"field": "email"}
        )
    membership_ensure(user_id=user.pk, unit=unit, role=role)
    invitation, raw_token = invitation_create(user=user, invited_by=invited_by)
    logger.info("staff invitation %s created for user %s", invitation.pk, user.pk)
    return invitation, raw_token


@transaction.atomic
def invitation_accept(*, raw_token: str, password: str) -> User:
    """Set the invited person's first password; the invitation then cannot be used again."""
    invitation = (
        StaffInvitation.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=token_hash(raw_token))
        .first()
    )
    problem = invitation_problem(invitation)
    if problem is not None or invitation is None:
        raise ApplicationError(problem or "", extra={"field": None})
    user = invitation.user
    _password_check(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    logger.info("staff invitation %s accepted", invitation.pk)
    return user


def _invitation_locked(invitation: StaffInvitation) -> StaffInvitation:
    return StaffInvitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)


@transaction.atomic
def invitation_resend(*, invitation: StaffInvitation, by: User | None) -> str:
    """A new link (and e-mail) for an invitation not yet accepted; the old link stops working."""
    invitation = _invitation_locked(invitation)
    if invitation.accepted_at is not None or invitation.user.has_usable_password():
        raise ApplicationError(_("Este convite já foi aceito: a pessoa já tem acesso."))
    if (
        invitation.revoked_at is not None
        and invitation.user.staff_invitations.filter(created_at__gt=invitation.created_at).exists()
    ):
        raise ApplicationError(_("Já existe um convite mais recente para esta pessoa."))
    _new, raw_token = invitation_create(user=invitation.user, invited_by=by)
    return raw_token


@transaction.atomic
def invitation_revoke(*, invitation: StaffInvitation, by: User | None) -> StaffInvitation:
    invitation = _invitation_locked(invitation)
    if invitation.accepted_at is not None:
        raise ApplicationError(_("Este convite já foi aceito e não pode ser cancelado."))
    if invitation.revoked_at is not None:
        raise ApplicationError(_("Este convite já estava cancelado."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    logger.info("staff invitation %s revoked by user %s", invitation.pk, getattr(by, "pk", None))
    return invitation


@transaction.atomic
def admin_invitation_resend() -> bool:
    """Send again the invitation of the current city's municipal admins who never chose a password.

    Called by vendor support (settings.SUPPORT_INVITE_RESEND) inside the city's schema, for a
    self-onboarded city whose admin lost or let expire the first e-mail. Returns whether one went out.
    """
    admins = User.objects.filter(
        kind=UserKind.STAFF,
        is_active=True,
        last_login__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
        memberships__role=Role.ADMIN,
    ).distinct()
    sent = False
    for admin in admins.order_by("pk"):
        latest = (
            admin.staff_invitations.filter(accepted_at__isnull=True).order_by("-created_at", "-pk").first()
        )
        invited_by = latest.invited_by if latest is not None else None
        invitation_create(user=admin, invited_by=invited_by)
        sent = True
    return sent


@transaction.atomic
def citizen_profile_fill(*, user: User, full_name: str = "", phone: str = "", cpf: str = "") -> User:
    """Fill what an identity provider (gov.br) vouched for: the name as gov.br knows it, and the
    phone and CPF only where the account has none (never overwrites a CPF)."""
    fields = []
    if full_name.strip() and user.full_name != full_name.strip():
        user.full_name = full_name.strip()
        fields.append("full_name")
    if phone.strip() and not user.phone:
        user.phone = phone.strip()[:20]
        fields.append("phone")
    if cpf and not user.cpf:
        user.cpf = cpf_normalize(value=cpf)
        fields.append("cpf")
    if fields:
        user.save(update_fields=[*fields, "updated_at"])
    return user
