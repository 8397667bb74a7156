"""The BR Code against the examples printed in the Banco Central's manuals (Manual de Padrões para
Iniciação do Pix, sections 2.6.3, 2.7.2 and 2.8.5; Manual do BR Code, section 2.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenant_apps.payments.brcode import BrCodeError, ascii_text, brcode_build, brcode_read, crc16

EVP = "123e4567-e12b-12d1-a456-426655440000"
# Pix manual 2.6.3: static, random key, no amount
BCB_STATIC = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
# Pix manual 2.7.2: dynamic (the PSP's location URL, point of initiation 12)
BCB_DYNAMIC = (
    "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
)
# Pix manual 2.8.5: static with amount 100.50, composed with a recurrence (field 80)
BCB_COMPOSED_AMOUNT = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000520400005303986"
    "5406100.505802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/"
    "2353c790eefb11eaadc10242ac12000263042875"
)
# BR Code manual 2.2: card + Pix + another arrangement, 270 characters, txid RP12345678-2019
BCB_BRCODE = (
    "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-426655440000"
    "27300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA"
    "61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38"
)


def test_crc16_ccitt_false_check_value() -> None:
    assert crc16("123456789") == "29B1"
    assert crc16("") == "FFFF"


@pytest.mark.parametrize(
    ("payload", "crc"),
    [(BCB_STATIC, "1D3D"), (BCB_DYNAMIC, "64E4"), (BCB_COMPOSED_AMOUNT, "2875"), (BCB_BRCODE, "AD38")],
)
def test_crc_of_the_manuals_examples(payload: str, crc: str) -> None:
    assert payload.endswith("6304" + crc)
    assert crc16(payload[:-4]) == crc


def test_static_code_is_the_manuals_example_byte_for_byte() -> None:
    assert brcode_build(key=EVP, merchant_name="Fulano de Tal", merchant_city="BRASILIA") == BCB_STATIC


def test_dynamic_code_is_the_manuals_example_byte_for_byte() -> None:
    built = brcode_build(
        url="pix.example.com/8b3da2f39a4140d1a91abd93113bd441",
        merchant_name="Fulano de Tal",
        merchant_city="BRASILIA",
    )
    assert built == BCB_DYNAMIC


def test_amount_is_the_static_part_of_the_composed_example() -> None:
    built = brcode_build(
        key=EVP, merchant_name="Fulano de Tal", merchant_city="BRASILIA", amount=Decimal("100.50")
    )
    static_part = BCB_COMPOSED_AMOUNT[: BCB_COMPOSED_AMOUNT.index("8074")]
    assert built == static_part + "6304" + crc16(static_part + "6304")


def test_guide_code_with_txid_and_description_reads_back() -> None:
    built = brcode_build(
        key="12345678000195",
        merchant_name="Prefeitura de Aracaju",
        merchant_city="Aracaju",
        amount=Decimal("1234.50"),
        txid="DAM20260000012AbCdEfGhIjK",
        description="DAM 000012/2026",
    )
    assert "62290525DAM20260000012AbCdEfGhIjK6304" in built
    assert "54071234.50" in built
    read = brcode_read(built)
    assert read.key == "12345678000195"
    assert read.amount == Decimal("1234.50")
    assert read.txid == "DAM20260000012AbCdEfGhIjK"
    assert read.description == "DAM 000012/2026"
    assert (read.merchant_name, read.merchant_city) == ("Prefeitura de Aracaju", "Aracaju")


def test_reads_the_manuals_examples() -> None:
    static = brcode_read(BCB_STATIC)
    assert (static.key, static.txid, static.amount, static.url) == (EVP, "***", None, "")
    assert brcode_read(BCB_DYNAMIC).url == "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    brcode = brcode_read(BCB_BRCODE)
    assert (brcode.key, brcode.amount, brcode.txid) == (EVP, Decimal("123.45"), "RP12345678-2019")
    assert len(BCB_BRCODE) == 270


def test_a_changed_payload_fails_its_crc() -> None:
    with pytest.raises(BrCodeError, match="CRC"):
        brcode_read(BCB_STATIC.replace("Fulano", "Fulana"))


def test_names_are_ascii_and_cut_at_the_standards_limits() -> None:
    built = brcode_build(
        key=EVP, merchant_name="Prefeitura Municipal de São Cristóvão", merchant_city="São Cristóvão-SE"
    )
    read = brcode_read(built)
    assert read.merchant_name == "Prefeitura Municipal de S"
    assert read.merchant_city == "Sao Cristovao-S"
    assert ascii_text("  Gravataí  ", 15) == "Gravatai"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": Decimal("0")}, "maior que zero"),
        ({"amount": Decimal("1.005")}, "duas casas"),
        ({"txid": "com espaço"}, "txid"),
        ({"txid": "A" * 26}, "txid"),
        ({"merchant_name": "  "}, "obrigatórios"),
    ],
)
def test_refuses_what_the_standard_does_not_allow(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"key": EVP, "merchant_name": "Prefeitura", "merchant_city": "Aracaju"}
    with pytest.raises(BrCodeError, match=message):
        brcode_build(**{**base, **kwargs})  # type: ignore[arg-type]


def test_description_is_cut_to_fit_field_26() -> None:
    built = brcode_build(key=EVP, merchant_name="Prefeitura", merchant_city="Aracaju", description="x" * 200)
    assert built[6:10] == "2699"
    assert brcode_read(built).description == "x" * 37
