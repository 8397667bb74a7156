"""The kernel's text folding and token helpers, used by every module that searches or sends links."""

from __future__ import annotations

import hashlib

from paco.text import text_fold
from paco.tokens import token_hash, token_new


def test_text_fold_ignores_case_and_accents():
    assert text_fold("Poda de Árvore em São João d'Aliança") == "poda de arvore em sao joao d'alianca"
    assert text_fold("AÇÃO") == text_fold("acao") == "acao"


def test_a_token_is_stored_as_its_sha256_only():
    token = token_new()

    assert len(token) == 43
    assert token_new() != token
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in token_hash(token)
