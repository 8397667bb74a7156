"""Text matching that ignores case and accents, the same way for what is stored and what is asked."""

from __future__ import annotations

import unicodedata


def text_fold(text: str) -> str:
    """Lower-case and strip accents, so "Poda de árvore" and "poda de arvore" match.

    Done in Python because PostgreSQL's `unaccent` extension is not available everywhere (the
    embedded server lacks it); search vectors and queries are folded the same way.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
