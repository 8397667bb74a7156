"""The reusable gov.br level check (for modules such as permits): account_level and require_level."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.govbr.models import GovBrIdentity, ReliabilityRequirement
from tenant_apps.govbr.selectors import GovBrLevelRequired, account_level, require_level
from tenant_apps.govbr.services import reliability_requirement_set
from tests.factories import UserFactory

PERMIT = ReliabilityRequirement.Target.PERMIT
_cpfs = itertools.count(10000000000)


def _citizen(level: str | None) -> Any:
    user = UserFactory()
    if level is not None:
        GovBrIdentity.objects.create(
            user=user, cpf=str(next(_cpfs)), reliability_level=level, reliability_read_at=timezone.now()
        )
    return user


def test_account_level_is_the_level_last_read(in_aracaju: Any) -> None:
    assert account_level(_citizen(None)) == ""
    assert account_level(_citizen("prata")) == "prata"


def test_a_permit_kind_that_requires_silver(in_aracaju: Any) -> None:
    reliability_requirement_set(target=PERMIT, code="alvara-obra", level="prata")

    require_level(user=_citizen("prata"), target=PERMIT, code="alvara-obra")  # enough: no error
    require_level(user=_citizen("bronze"), target=PERMIT, code="outro-tipo")  # no requirement
    with pytest.raises(GovBrLevelRequired) as refused:
        require_level(user=_citizen("bronze"), target=PERMIT, code="alvara-obra")

    assert refused.value.message == (
        "Este serviço exige uma conta gov.br de nível prata ou superior; a sua está no nível bronze. "
        "Aumente o nível no aplicativo ou no site gov.br (por exemplo, validando seus dados pelo banco "
        "ou por reconhecimento facial) e entre de novo com gov.br para atualizarmos."
    )
    assert refused.value.extra == {"required": "prata", "current": "bronze"}
    assert isinstance(refused.value, ApplicationError)


def test_an_explicit_level_and_an_unlinked_account(in_aracaju: Any) -> None:
    with pytest.raises(GovBrLevelRequired) as refused:
        require_level(user=_citizen(None), level="ouro")

    assert refused.value.message.startswith("Este serviço exige uma conta gov.br de nível ouro ou superior.")
    assert 'Vincule sua conta ao gov.br em "Minha conta" > "Conta gov.br"' in refused.value.message
    assert refused.value.extra == {"required": "ouro", "current": None}
    require_level(user=_citizen("ouro"), level="ouro")
    require_level(user=_citizen(None))  # nothing required
    with pytest.raises(ValueError, match="unknown gov.br level"):
        require_level(user=_citizen("ouro"), level="platina")
