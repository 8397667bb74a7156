"""The automatic pre-analysis of a permit request, before any staff time is spent: every checklist item
has a file; each file's real type (by content, recorded at upload), size, readability (a PDF that
parses and has text, an image of enough resolution) and, where the item asks, a digital signature and
an issue date within its validity; the CPF/CNPJ check digits; every CNAE code; the fee.

Text comes from pypdf. Tesseract (OCR) is not installed by the setup step, so a scan without a text
layer is flagged "não legível automaticamente" for a person to read. Pure functions over bytes and
rows: `services.request_analyse` stores the results per file and per request."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from validate_docbr import CNPJ, CPF

from paco.text import text_fold

from .cnae import cnae_format, cnae_get
from .enums import CheckStatus

MIN_TEXT_CHARS = 40
MIN_IMAGE_PIXELS = 600  # the shorter side of a photographed document, in pixels
TEXT_PAGES_MAX = 20  # text is read from the first pages only (classification and dates need little)
DATE_PATTERN = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
UNREADABLE = "não legível automaticamente"


@dataclass
class Check:
    code: str
    status: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "status": self.status, "message": self.message}


@dataclass
class FileFacts:
    """What reading a file told: its text (maybe empty), pages, whether it is encrypted or signed."""

    text: str = ""
    pages: int = 0
    is_encrypted: bool = False
    is_signed: bool = False
    is_corrupt: bool = False
    width: int = 0
    height: int = 0
    notes: list[str] = field(default_factory=list)


def pdf_facts(data: bytes) -> FileFacts:
    import pypdf

    facts = FileFacts()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            facts.is_encrypted = True
            return facts
        facts.pages = len(reader.pages)
        parts = []
        for page in reader.pages[:TEXT_PAGES_MAX]:
            parts.append(page.extract_text() or "")
        facts.text = "\n".join(parts)
        fields = reader.get_fields() or {}
        facts.is_signed = any(
            getattr(value, "get", lambda *_: None)("/FT") == "/Sig" and value.get("/V") is not None
            for value in fields.values()
        )
    except Exception:  # noqa: BLE001 - any parser failure means the PDF cannot be read
        facts.is_corrupt = True
    return facts


def image_facts(data: bytes) -> FileFacts:
    from PIL import Image

    facts = FileFacts()
    try:
        with Image.open(io.BytesIO(data)) as image:
            facts.width, facts.height = image.size
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
        facts.is_corrupt = True
    return facts


def file_facts(data: bytes, content_type: str) -> FileFacts:
    if content_type == "application/pdf":
        return pdf_facts(data)
    if content_type.startswith("image/"):
        return image_facts(data)
    if content_type == "text/plain":
        return FileFacts(text=data.decode("utf-8", errors="replace"))
    return FileFacts()


def _latest_date(text: str) -> dt.date | None:
    found = []
    for day, month, year in DATE_PATTERN.findall(text):
        try:
            found.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return max(found) if found else None


def file_checks(
    *, item: Any, name: str, content_type: str, size: int, facts: FileFacts, today: dt.date
) -> list[Check]:
    """The checks of one file against its checklist item (item None: the file matched no item)."""
    checks: list[Check] = []
    if item is None:
        checks.append(
            Check(
                "classificacao",
                CheckStatus.WARNING,
                _("Não identificamos a qual documento do checklist este arquivo corresponde."),
            )
        )
        return checks
    accepted = list(item.accepted_types or [])
    if accepted and content_type not in accepted:
        checks.append(
            Check(
                "tipo",
                CheckStatus.PROBLEM,
                _("“%(name)s” é do tipo %(type)s; para “%(item)s” aceitamos %(accepted)s.")
                % {"name": name, "type": content_type, "item": item.name, "accepted": ", ".join(accepted)},
            )
        )
    limit = item.max_size_mb * 1024 * 1024
    if size > limit:
        checks.append(
            Check(
                "tamanho",
                CheckStatus.PROBLEM,
                _("“%(name)s” tem %(size)s; o máximo para “%(item)s” é %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(size),
                    "item": item.name,
                    "limit": filesizeformat(limit),
                },
            )
        )
    if facts.is_encrypted:
        checks.append(
            Check(
                "legivel",
                CheckStatus.PROBLEM,
                _("“%(name)s” é um PDF protegido por senha: envie-o sem senha.") % {"name": name},
            )
        )
    elif facts.is_corrupt:
        checks.append(
            Check(
                "legivel",
                CheckStatus.PROBLEM,
                _("“%(name)s” está corrompido e não pode ser aberto.") % {"name": name},
            )
        )
    elif content_type == "application/pdf" and len(facts.text.strip()) < MIN_TEXT_CHARS:
        checks.append(
            Check(
                "legivel",
                CheckStatus.WARNING,
                _("“%(name)s” parece uma digitalização sem texto: %(unreadable)s; um servidor vai conferir.")
                % {"name": name, "unreadable": UNREADABLE},
            )
        )
    elif content_type.startswith("image/") and min(facts.width, facts.height) < MIN_IMAGE_PIXELS:
        checks.append(
            Check(
                "legivel",
                CheckStatus.PROBLEM,
                _(
                    "“%(name)s” tem resolução baixa (%(w)s×%(h)s pixels); envie uma "
                    "imagem com ao menos %(min)s pixels no menor lado."
                )
                % {"name": name, "w": facts.width, "h": facts.height, "min": MIN_IMAGE_PIXELS},
            )
        )
    if item.must_be_signed and not facts.is_signed:
        checks.append(
            Check(
                "assinatura",
                CheckStatus.PROBLEM,
                _("“%(item)s” precisa estar assinado digitalmente (PDF com assinatura).")
                % {"item": item.name},
            )
        )
    if item.validity_days:
        issued = _latest_date(facts.text)
        if issued is None:
            checks.append(
                Check(
                    "validade",
                    CheckStatus.WARNING,
                    _(
                        "Não encontramos a data de emissão de “%(item)s”; um servidor "
                        "vai conferir a validade de %(days)s dias."
                    )
                    % {"item": item.name, "days": item.validity_days},
                )
            )
        elif (today - issued).days > item.validity_days:
            checks.append(
                Check(
                    "validade",
                    CheckStatus.PROBLEM,
                    _(
                        "“%(item)s” foi emitido em %(date)s, há %(age)s dias; aceitamos "
                        "documentos emitidos há no máximo %(days)s dias."
                    )
                    % {
                        "item": item.name,
                        "date": issued.strftime("%d/%m/%Y"),
                        "age": (today - issued).days,
                        "days": item.validity_days,
                    },
                )
            )
    if not checks:
        checks.append(
            Check(
                "arquivo",
                CheckStatus.OK,
                _("“%(name)s” conferido para “%(item)s”.") % {"name": name, "item": item.name},
            )
        )
    return checks


def classify(*, name: str, text: str, items: list[Any]) -> Any:
    """The checklist item whose words appear most in the file name (counted double) and text."""
    folded_name = text_fold(name)
    folded_text = text_fold(text[:20000])
    best, best_score = None, 0
    for item in items:
        score = 0
        for word in item.match_words or []:
            folded = text_fold(str(word)).strip()
            if not folded:
                continue
            if folded in folded_name:
                score += 2
            if folded in folded_text:
                score += 1
        if score > best_score:
            best, best_score = item, score
    return best


def document_check(*, kind: str, number: str) -> Check:
    validator = CNPJ() if kind == "cnpj" else CPF()
    label = kind.upper()
    if validator.validate(number):
        return Check(
            "documento", CheckStatus.OK, _("%(label)s com dígitos verificadores válidos.") % {"label": label}
        )
    return Check(
        "documento", CheckStatus.PROBLEM, _("%(label)s inválido: confira os dígitos.") % {"label": label}
    )


def activities_check(codes: list[str]) -> Check:
    missing = [cnae_format(code) for code in codes if cnae_get(code) is None]
    if missing:
        return Check(
            "cnae", CheckStatus.PROBLEM, _("CNAE inexistente: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return Check("cnae", CheckStatus.OK, _("Atividades (CNAE) conferidas."))
