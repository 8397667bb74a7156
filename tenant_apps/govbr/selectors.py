from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from paco.encryption import decrypt
from paco.errors import ApplicationError
from tenant_apps.accounts.models import User

from .client import ClientConfig
from .enums import ReliabilityLevel
from .models import GovBrClient, GovBrIdentity, ReliabilityRequirement


def govbr_client_get() -> GovBrClient:
    """The city's gov.br client row (an unsaved, disabled one when the city has none)."""
    return GovBrClient.objects.order_by("id").first() or GovBrClient()


def govbr_client_config() -> ClientConfig | None:
    """What the adapter needs, with the secret decrypted; None when sign-in with gov.br is off."""
    client = govbr_client_get()
    if not client.enabled or not client.client_id:
        return None
    return ClientConfig(
        issuer=(client.issuer or settings.GOVBR_ISSUER).rstrip("/"),
        client_id=client.client_id,
        client_secret=decrypt(client.client_secret_encrypted),
        reliability_api=settings.GOVBR_RELIABILITY_API,
    )


def govbr_identity_of(user: User) -> GovBrIdentity | None:
    if not user.is_authenticated:
        return None
    return GovBrIdentity.objects.filter(user_id=user.pk).first()


def account_level(user: User) -> str:
    """The user's gov.br reliability level as last read ("bronze", "prata", "ouro"), or "" when the
    account is not linked to gov.br (or gov.br did not say). Read at every gov.br sign-in."""
    identity = govbr_identity_of(user)
    return identity.reliability_level if identity else ""


def reliability_satisfies(*, user: User, required: str) -> bool:
    """Whether the user's gov.br level (as last read) is at least `required` ("" requires none)."""
    if not required:
        return True
    return ReliabilityLevel.rank(account_level(user)) >= ReliabilityLevel.rank(required)


def reliability_required(*, target: str, code: str) -> str:
    """The minimum level set for (`target`, `code`), or "" for none. Targets:
    `ReliabilityRequirement.Target` (servico, ouvidoria, licenca)."""

    row = ReliabilityRequirement.objects.filter(target=target, code=code).first()
    return row.level if row else ""


def level_problem(*, user: User, required: str) -> str:
    """Why `user` is below `required`, in Portuguese, with how to raise the level; "" when not."""
    if not required or reliability_satisfies(user=user, required=required):
        return ""
    label = ReliabilityLevel(required).label
    identity = govbr_identity_of(user)
    if identity is None:
        return _(
            "Este serviço exige uma conta gov.br de nível %(level)s ou superior. Vincule sua conta ao "
            'gov.br em "Minha conta" > "Conta gov.br" (ou entre com gov.br) e tente de novo.'
        ) % {"level": label}
    current = (
        ReliabilityLevel(identity.reliability_level).label
        if identity.reliability_level
        else _("não informado")
    )
    return _(
        "Este serviço exige uma conta gov.br de nível %(level)s ou superior; a sua está no nível "
        "%(current)s. Aumente o nível no aplicativo ou no site gov.br (por exemplo, validando seus "
        "dados pelo banco ou por reconhecimento facial) e entre de novo com gov.br para atualizarmos."
    ) % {"level": label, "current": current}


def reliability_problem(*, user: User, target: str, code: str) -> str:
    """Why `user` may not use it online yet, in Portuguese with how to fix it; "" when they may."""
    return level_problem(user=user, required=reliability_required(target=target, code=code))


class GovBrLevelRequired(ApplicationError):
    """The person's gov.br account is below the level required. `message` says which level is
    needed and how to raise it; `extra` carries `required` and `current` (for an API answer)."""


def require_level(*, user: User, level: str = "", target: str = "", code: str = "") -> None:
    """Refuse (GovBrLevelRequired) unless `user`'s gov.br account reaches `level`, or the level the
    municipal admin set for (`target`, `code`) when no `level` is given, e.g. for a permit kind:

        require_level(user=citizen, target=ReliabilityRequirement.Target.PERMIT, code=kind.code)

    Call it in the service that starts the thing (not only in the view), so the API and the pages
    refuse alike; never a bare refusal: the message tells how to raise the level."""
    required = level or (reliability_required(target=target, code=code) if target else "")
    if required and required not in ReliabilityLevel.values:
        raise ValueError(f"unknown gov.br level: {required!r}")
    problem = level_problem(user=user, required=required)
    if problem:
        raise GovBrLevelRequired(
            problem, extra={"required": required, "current": account_level(user) or None}
        )
