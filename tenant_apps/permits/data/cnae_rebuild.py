"""Rebuild `cnae_subclasses.csv`: the IBGE CNAE 2.3 subclasses with the federal default risk level.

Usage (from the repository root):

    python tenant_apps/permits/data/cnae_rebuild.py                 # from IBGE's API (needs internet)
    python tenant_apps/permits/data/cnae_rebuild.py subclasses.json # a saved copy of that answer
    python tenant_apps/permits/data/cnae_rebuild.py cnae.js         # a JS array ("codigo", "descricao")

Source of the subclasses: IBGE, Comissão Nacional de Classificação (CONCLA), CNAE 2.3 subclasses,
served by `https://servicodados.ibge.gov.br/api/v2/cnae/subclasses` (a JSON list of
`{"id": "0111301", "descricao": "CULTIVO DE ARROZ", ...}`). Risk levels: `risco_federal.csv`
(levels I and II of Resolução CGSIM nº 51/2019, Anexos I and II; every activity in neither list is
level III, high risk, as that resolution's residual rule says). A city overrides any level in
Alvarás > Classificação de risco (Decreto 10.178/2019, art. 3º, §1º).
"""

from __future__ import annotations

import csv
import json
import re
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
IBGE_URL = "https://servicodados.ibge.gov.br/api/v2/cnae/subclasses"
OUTPUT = HERE / "cnae_subclasses.csv"


def _subclasses_from_json(text: str) -> list[tuple[str, str]]:
    rows = json.loads(text)
    return [(str(row["id"]).zfill(7), str(row["descricao"]).strip()) for row in rows]


def _subclasses_from_js(text: str) -> list[tuple[str, str]]:
    pattern = re.compile(r'"codigo":\s*"(\d{4})-(\d)/(\d{2})".*?"descricao":\s*"([^"]+)"', re.S)
    return [(f"{a}{b}{c}", description.strip()) for a, b, c, description in pattern.findall(text)]


def _description(raw: str) -> str:
    """IBGE's API writes descriptions in capitals; the file keeps the sentence case people read."""
    return raw[:1] + raw[1:].lower() if raw.isupper() else raw


def subclasses_read(source: str | None) -> list[tuple[str, str]]:
    if source is None:
        with urllib.request.urlopen(IBGE_URL, timeout=60) as response:  # noqa: S310 - a fixed https URL
            text = response.read().decode("utf-8")
        return _subclasses_from_json(text)
    text = Path(source).read_text(encoding="utf-8")
    return _subclasses_from_js(text) if source.endswith(".js") else _subclasses_from_json(text)


def risk_levels() -> dict[str, str]:
    with (HERE / "risco_federal.csv").open(encoding="utf-8") as handle:
        return {row["codigo"]: row["nivel"] for row in csv.DictReader(handle)}


def rebuild(source: str | None = None) -> int:
    subclasses = sorted(set(subclasses_read(source)))
    levels = risk_levels()
    unknown = sorted(set(levels) - {code for code, _ in subclasses})
    if unknown:  # a code of another CNAE version (e.g. 2.3's 6201-5/01 against a 2.2 source)
        print(f"risco_federal.csv codes absent from this source (ignored): {unknown}", file=sys.stderr)
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["codigo", "descricao", "nivel_risco_federal"])
        for code, description in subclasses:
            writer.writerow([code, _description(description), levels.get(code, "III")])
    return len(subclasses)


if __name__ == "__main__":
    count = rebuild(sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"{count} subclasses written to {OUTPUT}")
