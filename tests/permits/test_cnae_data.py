"""The shipped CNAE table is IBGE's CNAE 2.3 and its rebuild script reads the offline sources."""

from __future__ import annotations

import csv
import importlib.util
import zipfile
from pathlib import Path

import pytest

from tenant_apps.permits.cnae import DATA_FILE, cnae_get, cnae_table

REBUILD = DATA_FILE.parent / "cnae_rebuild.py"


def _rebuild_module():
    spec = importlib.util.spec_from_file_location("cnae_rebuild", REBUILD)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_is_cnae_2_3_with_every_federal_level_on_a_real_code():
    table = cnae_table()
    assert len(table) == 1332
    # 2.3 splits present, the 2.2 codes they replaced gone
    for code in ("6201501", "6201502", "4751201", "4751202", "9609207", "9609208", "5611204", "5611205"):
        assert code in table, code
    for code in ("6201500", "4751200", "5611202", "9609203"):
        assert code not in table, code
    assert cnae_get("6201-5/02").description == "Web design"
    assert cnae_get("9900-8/00") is not None
    with (DATA_FILE.parent / "risco_federal.csv").open(encoding="utf-8") as handle:
        federal = {row["codigo"]: row["nivel"] for row in csv.DictReader(handle)}
    assert federal
    assert all(table[code].federal_level == level for code, level in federal.items())
    assert {subclass.federal_level for code, subclass in table.items() if code not in federal} == {"III"}
    assert all("\n" not in subclass.description for subclass in table.values())


def test_the_rebuild_reads_the_oca_wheel_offline(tmp_path: Path):
    rows = [
        '"id","code","name","version","internal_type","parent_id:id"',
        '"cnae_62015","62.01-5","Desenvolvimento de programas de computador sob encomenda","2.3","view",""',
        '"cnae_6201501","6201-5/01","Desenvolvimento de programas de computador sob encomenda",'
        '"2.3","normal","cnae_62015"',
        '"cnae_6201502","6201-5/02","Web desing","2.3","normal","cnae_62015"',
        '"cnae_4221901","4221-9/01","Construção de barragens e represas para geração de energia\nelétrica",'
        '"2.3","normal",""',
    ]
    wheel = tmp_path / "odoo_addon_l10n_br_fiscal-19.0.2.10.0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("odoo/addons/l10n_br_fiscal/data/l10n_br_fiscal.cnae.csv", "\n".join(rows) + "\n")
    output = tmp_path / "cnae_subclasses.csv"

    count = _rebuild_module().rebuild(str(wheel), output=output)

    with output.open(encoding="utf-8") as handle:
        written = {row["codigo"]: row for row in csv.DictReader(handle)}
    assert count == 4  # three subclasses of the source and 9900-8/00, which IBGE's structure file omits
    assert sorted(written) == ["4221901", "6201501", "6201502", "9900800"]
    assert written["6201502"]["descricao"] == "Web design"
    assert written["4221901"]["descricao"].endswith("energia elétrica")
    assert written["6201501"]["nivel_risco_federal"] == "I"  # from risco_federal.csv
    assert written["4221901"]["nivel_risco_federal"] == "III"  # no federal level: the residual one


def test_the_rebuild_refuses_a_transcription_of_another_cnae_version(tmp_path: Path):
    source = tmp_path / "l10n_br_fiscal.cnae.csv"
    source.write_text(
        '"id","code","name","version","internal_type","parent_id:id"\n'
        '"cnae_6201500","6201-5/00","Desenvolvimento de programas","2.2","normal",""\n',
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    with pytest.raises(ValueError, match="2.2"):
        _rebuild_module().rebuild(str(source), output=output)
    assert not output.exists()
