"""The CNAE subclasses and their federal default risk level, read once from `data/cnae_subclasses.csv`
(provenance and rebuild script in `data/`). Codes are kept as 7 digits; people type 4781-4/00."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "cnae_subclasses.csv"


@dataclass(frozen=True)
class Subclass:
    code: str
    description: str
    federal_level: str

    @property
    def formatted(self) -> str:
        return cnae_format(self.code)


@cache
def cnae_table() -> dict[str, Subclass]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return {
            row["codigo"]: Subclass(row["codigo"], row["descricao"], row["nivel_risco_federal"])
            for row in csv.DictReader(handle)
        }


def cnae_normalize(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def cnae_format(code: str) -> str:
    return f"{code[:4]}-{code[4]}/{code[5:7]}" if len(code) == 7 else code


def cnae_get(raw: str) -> Subclass | None:
    return cnae_table().get(cnae_normalize(raw))


def cnae_codes_split(raw: str) -> list[str]:
    """`"4781-4/00, 5611-2/01"` (commas, semicolons, spaces or new lines) as typed, in order, once each."""
    parts = [
        part.strip()
        for chunk in raw.replace(";", ",").replace("\n", ",").split(",")
        for part in chunk.split()
    ]
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return seen
