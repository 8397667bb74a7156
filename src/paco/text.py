"""Text the same way everywhere: matching that ignores case and accents, amounts in reais."""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal


def text_fold(text: str) -> str:
    """Lower-case and strip accents, so "Poda de árvore" and "poda de arvore" match.

    Done in Python because PostgreSQL's `unaccent` extension is not available everywhere (the
    embedded server lacks it); search vectors and queries are folded the same way.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def brl(amount: Decimal | int | float) -> str:
    """An amount in reais as Brazilians write it, without the symbol: 1234.5 → "1.234,50" (what the
    templates' `floatformat:"2g"` prints in pt-BR), for messages built in Python, in a job too, where
    no language is active: the same in any language, as the real is written one way."""
    cents = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{cents:,.2f}".translate(str.maketrans(",.", ".,"))
