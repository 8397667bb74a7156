"""The automatic pre-analysis of a permit request, before any staff time is spent: every checklist item
has a file; each file's real type (by content, recorded at upload), size, readability (a PDF that
parses and has text, an image of enough resolution) and, where the item asks, a digital signature and
an issue date within its validity; the CPF/CNPJ check digits; every CNAE code; the fee. A file that
matched no item still gets the content checks (type among those the checklist accepts, readable, not
password-protected); the item's own checks (signature, dates) need an item.

Encrypted PDFs: one with only an owner password (it opens with the empty password, common for
certidões) is decrypted with "" and read normally; one that needs a user password is refused at
upload (documents.services) and, if one was stored before, flagged "protegido por senha" here.

Dates in the text (dd/mm/aaaa), read on the accent-folded text:
- the issue date is the first date written next to "emitido/emitida", "emissão"/"data de emissão" or
  "expedido/expedição" (up to 40 characters after the word, with no digit in between). Without one,
  the latest date that is not in the future is taken and the message says it is presumed;
- with the item's `validity_days`, an issue date older than that many days is a problem; no date at
  all is a warning for a person;
- whether or not the item sets `validity_days`, a date written as the document's own validity
  ("válido/válida até", "validade") that is already past is a problem: "documento vencido em ...".

Text comes from pypdf. Tesseract (OCR) is not installed by the setup step, so a scan without a text
layer is flagged "não legível automaticamente" for a person to read. Pure functions over bytes and
rows: `services.request_analyse` stores the results per file and per request."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
_NEAR = r"\D{0,40}?\b(\d{2})/(\d{2})/(\d{4})\b"  # the date written just after the word, no digit between
ISSUE_PATTERN = re.compile(r"(?:emitid[oa]s?|emissao|expedid[oa]s?|expedicao)" + _NEAR)
VALID_UNTIL_PATTERN = re.compile(r"(?:valid[oa]s?\s+ate|validade)" + _NEAR)
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
        if reader.is_encrypted and not _decrypt_empty(reader):
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


def _decrypt_empty(reader: Any) -> bool:
    """Open a PDF protected by an owner password only (it opens with the empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - an unsupported encryption is as closed as a password
        return False


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


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def issue_date(text: str, *, today: dt.date) -> tuple[dt.date | None, bool]:
    """The document's issue date and whether it is presumed (see the module's docstring)."""
    folded = text_fold(text)
    for match in ISSUE_PATTERN.finditer(folded):
        found = _date(*match.groups())
        if found is not None and found <= today:
            return found, False
    dates = [found for groups in DATE_PATTERN.findall(folded) if (found := _date(*groups))]
    past = [found for found in dates if found <= today]
    return (max(past), True) if past else (None, False)


def valid_until(text: str) -> dt.date | None:
    """The validity the document states ("válido até", "validade"), the latest if several."""
    found = [
        date for match in VALID_UNTIL_PATTERN.finditer(text_fold(text)) if (date := _date(*match.groups()))
    ]
    return max(found) if found else None


def file_checks(
    *,
    item: Any,
    name: str,
    content_type: str,
    size: int,
    facts: FileFacts,
    today: dt.date,
    accepted_any: Sequence[str] = (),
) -> list[Check]:
    """The checks of one file against its checklist item. With item None (the file matched no item)
    the content checks still run, the type against `accepted_any` (the types any item accepts), as
    warnings: the file is not required, so it flags the request for a person and never blocks it."""
    checks: list[Check] = []
    if item is None:
        checks.append(
            Check(
                "classificacao",
                CheckStatus.WARNING,
                _("Não identificamos a qual documento do checklist este arquivo corresponde."),
            )
        )
        accepted = sorted(set(accepted_any))
        if accepted and content_type not in accepted:
            checks.append(
                Check(
                    "tipo",
                    CheckStatus.PROBLEM,
                    _("“%(name)s” é do tipo %(type)s; este pedido aceita %(accepted)s.")
                    % {"name": name, "type": content_type, "accepted": ", ".join(accepted)},
                )
            )
        checks.extend(_content_checks(name=name, content_type=content_type, facts=facts))
        # A file of no item is not required and the requester cannot take it back: what is wrong
        # with it goes to a person (a warning) instead of holding the request in 'pendente'.
        return [
            replace(check, status=CheckStatus.WARNING) if check.status == CheckStatus.PROBLEM else check
            for check in checks
        ]
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
    checks.extend(_content_checks(name=name, content_type=content_type, facts=facts))
    if item.must_be_signed and not facts.is_signed:
        checks.append(
            Check(
                "assinatura",
                CheckStatus.PROBLEM,
                _("“%(item)s” precisa estar assinado digitalmente (PDF com assinatura).")
                % {"item": item.name},
            )
        )
    checks.extend(_date_checks(item=item, facts=facts, today=today))
    if all(check.status == CheckStatus.OK for check in checks):
        checks.insert(
            0,
            Check(
                "arquivo",
                CheckStatus.OK,
                _("“%(name)s” conferido para “%(item)s”.") % {"name": name, "item": item.name},
            ),
        )
    return checks


def _content_checks(*, name: str, content_type: str, facts: FileFacts) -> list[Check]:
    """Whether the file can be read: not password-protected, not corrupt, a PDF with text, an image
    of enough resolution."""
    if facts.is_encrypted:
        message = _("“%(name)s” é um PDF protegido por senha; envie uma cópia sem senha.") % {"name": name}
        return [Check("legivel", CheckStatus.PROBLEM, message)]
    if facts.is_corrupt:
        message = _("“%(name)s” está corrompido e não pode ser aberto.") % {"name": name}
        return [Check("legivel", CheckStatus.PROBLEM, message)]
    if content_type == "application/pdf" and len(facts.text.strip()) < MIN_TEXT_CHARS:
        message = _(
            "“%(name)s” parece uma digitalização sem texto: %(unreadable)s; um servidor vai conferir."
        ) % {
            "name": name,
            "unreadable": UNREADABLE,
        }
        return [Check("legivel", CheckStatus.WARNING, message)]
    if content_type.startswith("image/") and min(facts.width, facts.height) < MIN_IMAGE_PIXELS:
        message = _(
            "“%(name)s” tem resolução baixa (%(w)s×%(h)s pixels); envie uma "
            "imagem com ao menos %(min)s pixels no menor lado."
        ) % {"name": name, "w": facts.width, "h": facts.height, "min": MIN_IMAGE_PIXELS}
        return [Check("legivel", CheckStatus.PROBLEM, message)]
    return []


def _date_checks(*, item: Any, facts: FileFacts, today: dt.date) -> list[Check]:
    """The document's stated validity, and its issue date against the item's `validity_days`."""
    checks: list[Check] = []
    expires = valid_until(facts.text)
    if expires is not None and expires < today:
        checks.append(
            Check(
                "validade",
                CheckStatus.PROBLEM,
                _("“%(item)s”: documento vencido em %(date)s.")
                % {"item": item.name, "date": expires.strftime("%d/%m/%Y")},
            )
        )
    if not item.validity_days:
        return checks
    issued, presumed = issue_date(facts.text, today=today)
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
        return checks
    age = (today - issued).days
    values = {"item": item.name, "date": issued.strftime("%d/%m/%Y"), "age": age, "days": item.validity_days}
    if age > item.validity_days:
        if presumed:
            message = (
                _(
                    "“%(item)s” não diz a data de emissão; a data mais recente nele é %(date)s, há %(age)s "
                    "dias; aceitamos documentos emitidos há no máximo %(days)s dias."
                )
                % values
            )
        else:
            message = (
                _(
                    "“%(item)s” foi emitido em %(date)s, há %(age)s dias; aceitamos "
                    "documentos emitidos há no máximo %(days)s dias."
                )
                % values
            )
        checks.append(Check("validade", CheckStatus.PROBLEM, message))
    elif presumed:
        checks.append(
            Check(
                "validade",
                CheckStatus.OK,
                _(
                    "“%(item)s” não diz a data de emissão; presumimos %(date)s (a data mais recente "
                    "nele), dentro dos %(days)s dias."
                )
                % values,
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
