from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from validate_docbr import CPF

from paco.errors import ApplicationError

from .enums import UserKind
from .models import User


def cpf_normalize(value: str) -> str:
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


@transaction.atomic
def citizen_register(*, full_name: str, cpf: str, email: str, password: str, phone: str = "") -> User:
    cpf_digits = cpf_normalize(cpf)
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ApplicationError(_("Já existe uma conta com este e-mail."), extra={"field": "email"})
    if User.objects.filter(cpf=cpf_digits).exists():
        raise ApplicationError(_("Já existe uma conta com este CPF."), extra={"field": "cpf"})
    user = User(
        email=email, full_name=full_name.strip(), cpf=cpf_digits, phone=phone.strip(), kind=UserKind.CITIZEN
    )
    _password_check(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_ensure(
    *, email: str, full_name: str, kind: str, password: str | None = None, cpf: str | None = None
) -> User:
    """Create the account if it does not exist (idempotent seeding); never changes an existing one."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None:
        if user.kind != kind:
            raise ApplicationError(
                _("O e-mail %(email)s já pertence a outro tipo de conta.") % {"email": email}
            )
        return user
    user = User(email=email, full_name=full_name, kind=kind, cpf=cpf_normalize(cpf) if cpf else None)
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
    cpf_digits = cpf_normalize(cpf)
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
