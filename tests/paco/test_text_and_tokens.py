"""The kernel's text folding and token helpers, used by every module that searches or sends links."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.utils import translation

from paco.text import brl, text_fold
from paco.tokens import token_hash, token_new


def test_text_fold_ignores_case_and_accents():
    assert text_fold("Poda de Árvore em São João d'Aliança") == "poda de arvore em sao joao d'alianca"
    assert text_fold("AÇÃO") == text_fold("acao") == "acao"


def test_brl_writes_reais_as_brazilians_do_in_messages_built_outside_templates():
    assert brl(Decimal("90")) == "90,00"
    assert brl(Decimal("1234.5")) == "1.234,50"
    assert brl(Decimal(123456789) / 100) == "1.234.567,89"
    assert brl(2.675) == "2,68"  # half up, as money is rounded
    with translation.override(None):  # no language active (a job): the real is written one way
        assert brl(Decimal("90.5")) == "90,50"
    with translation.override("en"):
        assert brl(1500) == "1.500,00"


def test_a_token_is_stored_as_its_sha256_only():
    token = token_new()

    assert len(token) == 43
    assert token_new() != token
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in token_hash(token)
