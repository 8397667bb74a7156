"""The Pix BR Code: an EMV® QRCPS merchant-presented payload as the Banco Central's "Manual do BR
Code" and "Manual de Padrões para Iniciação do Pix" describe it.

Each field is ID (2 digits) + length (2 digits) + value; the payload ends with field 63, a
CRC16-CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) over everything before it, "6304"
included. A static code carries the city's Pix key in field 26 (GUI `br.gov.bcb.pix`, key, optional
description); a dynamic one carries the PSP's location URL instead (and field 01 = "12"). Field
62-05 holds the transaction id (txid): up to 25 letters and digits, or "***" when there is none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

GUI = "br.gov.bcb.pix"
NO_TXID = "***"
MAX_NAME = 25
MAX_CITY = 15
MAX_TXID = 25
MAX_FIELD = 99
TXID_RE = re.compile(r"^[A-Za-z0-9]{1,25}$")


class BrCodeError(ValueError):
    """The payload cannot be built or read; the message is Portuguese and shown to people."""


def crc16(data: str) -> str:
    """CRC16-CCITT-FALSE of the payload's bytes, 4 uppercase hex digits ("123456789" -> "29B1")."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def ascii_text(value: str, limit: int) -> str:
    """Accents folded, only printable ASCII kept, spaces collapsed, cut at `limit` characters."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^\x20-\x7e]", "", folded)
    return " ".join(folded.split())[:limit].rstrip()


def _field(field_id: str, value: str) -> str:
    if len(value) > MAX_FIELD:
        raise BrCodeError(f"O campo {field_id} do BR Code passaria de 99 caracteres.")
    return f"{field_id}{len(value):02d}{value}"


def amount_text(amount: Decimal) -> str:
    """The amount as field 54 carries it: a dot and two decimals ("100.50")."""
    if amount <= 0:
        raise BrCodeError("O valor precisa ser maior que zero.")
    if amount != amount.quantize(Decimal("0.01")):
        raise BrCodeError("O valor tem mais de duas casas decimais.")
    text = f"{amount:.2f}"
    if len(text) > 13:
        raise BrCodeError("O valor é alto demais para um BR Code.")
    return text


def brcode_build(
    *,
    merchant_name: str,
    merchant_city: str,
    key: str = "",
    url: str = "",
    amount: Decimal | None = None,
    txid: str = NO_TXID,
    description: str = "",
    single_use: bool = False,
) -> str:
    """The payload ("Pix copia e cola") of a static code (`key`) or a dynamic one (`url`)."""
    if bool(key) == bool(url):
        raise BrCodeError("O BR Code leva a chave Pix (estático) ou a URL do PSP (dinâmico), um dos dois.")
    if txid != NO_TXID and not TXID_RE.match(txid):
        raise BrCodeError("O identificador (txid) do BR Code tem de 1 a 25 letras e números.")
    name = ascii_text(merchant_name, MAX_NAME)
    city = ascii_text(merchant_city, MAX_CITY)
    if not name or not city:
        raise BrCodeError("O nome e a cidade do recebedor são obrigatórios no BR Code.")
    account = _field("00", GUI)
    if key:
        account += _field("01", key)
        text = ascii_text(description, MAX_FIELD)
        if text:
            room = MAX_FIELD - len(account) - 4
            account += _field("02", text[:room].rstrip()) if room > 0 else ""
    else:
        account += _field("25", url)
    parts = [_field("00", "01")]
    if single_use or url:
        parts.append(_field("01", "12"))
    parts += [_field("26", account), _field("52", "0000"), _field("53", "986")]
    if amount is not None:
        parts.append(_field("54", amount_text(amount)))
    parts += [
        _field("58", "BR"),
        _field("59", name),
        _field("60", city),
        _field("62", _field("05", txid)),
    ]
    payload = "".join(parts) + "6304"
    return payload + crc16(payload)


def tlv_read(text: str) -> dict[str, str]:
    """The fields of a TLV string, by ID (raises BrCodeError on a malformed string)."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        head = text[position : position + 4]
        if len(head) < 4 or not head.isdigit():
            raise BrCodeError("BR Code malformado.")
        size = int(head[2:])
        value = text[position + 4 : position + 4 + size]
        if len(value) != size:
            raise BrCodeError("BR Code malformado.")
        fields[head[:2]] = value
        position += 4 + size
    return fields


@dataclass(frozen=True)
class PixPayload:
    key: str
    url: str
    description: str
    amount: Decimal | None
    merchant_name: str
    merchant_city: str
    txid: str


def brcode_read(payload: str) -> PixPayload:
    """Read a Pix BR Code, checking its CRC and the fields the manual makes mandatory."""
    payload = payload.strip()
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise BrCodeError("BR Code sem o CRC (campo 63) no fim.")
    if crc16(payload[:-4]) != payload[-4:].upper():
        raise BrCodeError("O CRC do BR Code não confere.")
    fields = tlv_read(payload[:-4] + "0000")
    if fields.get("00") != "01":
        raise BrCodeError("BR Code malformado.")
    pix: dict[str, str] | None = None
    for field_id in range(26, 52):
        account = fields.get(f"{field_id:02d}")
        if account:
            inner = tlv_read(account)
            if inner.get("00", "").lower() == GUI:
                pix = inner
                break
    if pix is None:
        raise BrCodeError("Este BR Code não é de Pix.")
    if fields.get("53") != "986" or fields.get("58") != "BR" or not fields.get("59") or not fields.get("60"):
        raise BrCodeError("Faltam campos obrigatórios no BR Code.")
    additional = tlv_read(fields.get("62", ""))
    return PixPayload(
        key=pix.get("01", ""),
        url=pix.get("25", ""),
        description=pix.get("02", ""),
        amount=Decimal(fields["54"]) if "54" in fields else None,
        merchant_name=fields["59"],
        merchant_city=fields["60"],
        txid=additional.get("05", ""),
    )
