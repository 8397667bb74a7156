"""Sign-in with gov.br, linking and unlinking accounts, the city's gov.br client.

Linking rule: an existing account is joined to a gov.br identity only by someone who proves they
own it (their password), never silently by matching CPF or e-mail. An account with no password
(opened at the counter from the CPF) has nothing to confirm: gov.br proving the same CPF is the
proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paco.encryption import encrypt
from paco.errors import ApplicationError
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import (
    citizen_ensure_at_counter,
    citizen_pending_signups_release,
    citizen_profile_fill,
)

from .client import GovBrError, GovBrPerson
from .enums import ReliabilityLevel
from .models import GovBrClient, GovBrIdentity, GovBrNonce, ReliabilityRequirement
from .selectors import govbr_client_get

CPF_ALREADY_LINKED = gettext_lazy(
    "Este CPF já está vinculado a outra conta desta prefeitura. Entre com gov.br para usar aquela "
    "conta, ou procure o atendimento se não a reconhece. Nada foi alterado."
)


@dataclass(frozen=True)
class SignInOutcome:
    """`user` signed in (`confirm` False), or `user` must confirm their password to link."""

    user: User
    confirm: bool


def person_to_session(*, person: GovBrPerson) -> dict[str, Any]:
    """What a pending link keeps in the session (no token)."""
    return {
        "cpf": person.cpf,
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "reliability_level": person.reliability_level,
        "reliability_read_at": person.reliability_read_at.isoformat() if person.reliability_read_at else "",
    }


def person_from_session(*, data: dict[str, Any]) -> GovBrPerson:
    return GovBrPerson(
        cpf=data["cpf"],
        name=data.get("name", ""),
        email=data.get("email", ""),
        email_verified=False,
        phone=data.get("phone", ""),
        reliability_level=data.get("reliability_level", ""),
        reliability_read_at=parse_datetime(data["reliability_read_at"])
        if data.get("reliability_read_at")
        else None,
        id_token="",
    )


@transaction.atomic
def govbr_client_save(*, enabled: bool, issuer: str, client_id: str, client_secret: str = "") -> GovBrClient:
    """The city's client; an empty `client_secret` keeps the stored one (it is never shown back)."""
    client = govbr_client_get()
    client.enabled = enabled
    client.issuer = issuer.strip().rstrip("/")
    client.client_id = client_id.strip()
    if client_secret:
        client.client_secret_encrypted = encrypt(client_secret)
    if enabled and (not client.client_id or not client.client_secret_encrypted):
        raise ApplicationError(_("Para ativar, informe o identificador e o segredo do cliente gov.br."))
    client.save()
    return client


def govbr_nonce_consume(*, nonce: str) -> None:
    """An ID token's nonce is accepted once; a second time is a replayed token."""
    try:
        with transaction.atomic():
            GovBrNonce.objects.create(nonce=nonce)
    except IntegrityError as error:
        raise GovBrError(_("Esta identificação do gov.br já foi usada. Tente entrar de novo.")) from error


def _identity_refresh(identity: GovBrIdentity, person: GovBrPerson) -> GovBrIdentity:
    if person.reliability_level:
        identity.reliability_level = person.reliability_level
        identity.reliability_read_at = person.reliability_read_at
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["reliability_level", "reliability_read_at", "last_login_at", "updated_at"])
    citizen_profile_fill(user=identity.user, full_name=person.name, phone=person.phone, cpf=person.cpf)
    return identity


def _citizen_only(user: User) -> None:
    if user.kind != UserKind.CITIZEN:
        raise GovBrError(
            _("Este CPF pertence a uma conta de servidor. Servidores entram pela área dos servidores.")
        )
    if not user.is_active:
        raise GovBrError(_("A conta deste CPF está desativada. Procure o atendimento da prefeitura."))


@transaction.atomic
def govbr_sign_in(*, person: GovBrPerson, signed_in: User | None = None) -> SignInOutcome:
    """Who `person` (verified by gov.br) is in this city.

    Signed out: their linked account; else their account with the same CPF or e-mail, to be
    confirmed with its password; else a new citizen account. Signed in (linking from "Minha
    conta"): the current account, to be confirmed with its password, unless the CPF belongs to
    another account.
    """
    identity = GovBrIdentity.objects.select_related("user").filter(cpf=person.cpf).first()
    if signed_in is not None:
        _citizen_only(signed_in)
        if identity is not None and identity.user_id != signed_in.pk:
            raise GovBrError(str(CPF_ALREADY_LINKED))
        if identity is not None:
            _identity_refresh(identity, person)
            return SignInOutcome(user=signed_in, confirm=False)
        other = User.objects.filter(cpf=person.cpf).exclude(pk=signed_in.pk).exists()
        if other or (signed_in.cpf and signed_in.cpf != person.cpf):
            raise GovBrError(
                _(
                    "O CPF da conta gov.br é diferente do CPF desta conta, ou já pertence a outra conta "
                    "desta prefeitura. Nada foi alterado."
                )
            )
        return SignInOutcome(user=signed_in, confirm=True)
    if identity is not None:
        _citizen_only(identity.user)
        _identity_refresh(identity, person)
        return SignInOutcome(user=identity.user, confirm=False)
    citizen_pending_signups_release(cpf=person.cpf, email=person.email)
    existing = User.objects.filter(cpf=person.cpf).first()
    if existing is None and person.email:
        existing = User.objects.filter(email=person.email, cpf__isnull=True).first()
    if existing is not None:
        _citizen_only(existing)
        if existing.has_usable_password():
            return SignInOutcome(user=existing, confirm=True)
        return SignInOutcome(user=govbr_link(user=existing, person=person).user, confirm=False)
    try:
        user = citizen_ensure_at_counter(
            cpf=person.cpf, full_name=person.name or person.cpf, email=person.email, phone=person.phone
        )
    except ApplicationError as error:
        raise GovBrError(
            _(
                "O e-mail da sua conta gov.br já pertence a outra conta desta prefeitura, com outro CPF. "
                "Procure o atendimento. Nada foi alterado."
            )
        ) from error
    return SignInOutcome(user=govbr_link(user=user, person=person).user, confirm=False)


@transaction.atomic
def govbr_link(*, user: User, person: GovBrPerson) -> GovBrIdentity:
    """Join `user` to the gov.br identity (the caller has checked the person owns the account)."""
    _citizen_only(user)
    if GovBrIdentity.objects.filter(cpf=person.cpf).exclude(user=user).exists():
        raise GovBrError(str(CPF_ALREADY_LINKED))
    if user.cpf and user.cpf != person.cpf:
        raise GovBrError(_("O CPF da conta gov.br é diferente do CPF desta conta. Nada foi alterado."))
    if User.objects.filter(cpf=person.cpf).exclude(pk=user.pk).exists():
        raise GovBrError(str(CPF_ALREADY_LINKED))
    identity, _created = GovBrIdentity.objects.get_or_create(user=user, defaults={"cpf": person.cpf})
    if identity.cpf != person.cpf:
        raise GovBrError(_("Esta conta já está vinculada a outra conta gov.br. Nada foi alterado."))
    return _identity_refresh(identity, person)


@transaction.atomic
def govbr_unlink(*, user: User) -> None:
    """Remove the link; the account keeps its data and is reached with e-mail and password."""
    identity = GovBrIdentity.objects.filter(user=user).first()
    if identity is None:
        raise ApplicationError(_("Esta conta não está vinculada ao gov.br."))
    if not user.has_usable_password():
        raise ApplicationError(
            _(
                "Esta conta não tem senha: sem o gov.br você não conseguiria entrar. Crie uma senha "
                "antes de desvincular."
            )
        )
    identity.delete()


@transaction.atomic
def reliability_requirement_set(*, target: str, code: str, level: str) -> ReliabilityRequirement | None:
    """Set (or with `level` "" remove) the minimum gov.br level for a service or manifestation kind."""
    if target not in ReliabilityRequirement.Target.values:
        raise ApplicationError(_("Destino de exigência desconhecido."))
    if level and level not in ReliabilityLevel.values:
        raise ApplicationError(_("Nível gov.br desconhecido."))
    if not level:
        ReliabilityRequirement.objects.filter(target=target, code=code).delete()
        return None
    requirement, _created = ReliabilityRequirement.objects.update_or_create(
        target=target, code=code, defaults={"level": level}
    )
    return requirement
