import csv

from shared_apps.onboarding.data.build_municipalities import UF_BY_CODE, build
from shared_apps.onboarding.selectors import (
    TABLE_PATH,
    ibge_municipality_get,
    ibge_municipality_list,
    ibge_municipality_list_by_uf,
    ibge_municipality_search,
)
from shared_apps.onboarding.validators import (
    IBGE_CHECK_DIGIT_EXCEPTIONS,
    UF_IBGE_CODES,
    ibge_check_digit,
    ibge_code_is_valid,
)
from tenants.enums import State


def test_the_table_has_every_municipality_once_sorted_by_code():
    rows = list(csv.reader(TABLE_PATH.open(encoding="utf-8")))
    assert rows[0] == ["ibge_code", "name", "uf"]
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == 5570
    assert len(set(codes)) == 5570
    assert codes == sorted(codes)
    assert {row[2] for row in rows[1:]} == set(State.values)
    assert len(ibge_municipality_list()) == 5570


def test_lookup_by_code():
    aracaju = ibge_municipality_get("2800308")
    assert (aracaju.ibge_code, aracaju.name, aracaju.uf) == ("2800308", "Aracaju", "SE")
    assert ibge_municipality_get("5300108").name == "Brasília"
    assert ibge_municipality_get("2800309") is None


def test_every_code_of_the_table_validates_with_its_uf():
    for row in ibge_municipality_list():
        assert ibge_code_is_valid(row.ibge_code, uf=row.uf), row


def test_the_exceptions_are_exactly_the_codes_that_fail_the_check_digit():
    failing = {
        row.ibge_code
        for row in ibge_municipality_list()
        if ibge_check_digit(row.ibge_code[:6]) != int(row.ibge_code[6])
    }
    assert failing == IBGE_CHECK_DIGIT_EXCEPTIONS
    assert sorted(ibge_municipality_get(code).name for code in failing) == [
        "Bom Princípio do Piauí",
        "Brejo do Piauí",
        "Buriti de Goiás",
        "Buritinópolis",
        "Canavieira",
        "Coronel Barros",
        "Cônego Marinho",
        "Ponto Chique",
        "Quixaba",
    ]


def test_a_changed_digit_fails():
    assert ibge_check_digit("280030") == 8
    assert ibge_code_is_valid("2800308")
    for position in range(2, 7):
        digit = int("2800308"[position])
        changed = "2800308"[:position] + str((digit + 1) % 10) + "2800308"[position + 1 :]
        assert not ibge_code_is_valid(changed), changed


def test_a_wrong_uf_prefix_fails():
    assert not ibge_code_is_valid("2800308", uf="RS")
    assert ibge_code_is_valid("2800308", uf="SE")
    assert not ibge_code_is_valid("1000308")  # 10 is no UF
    assert not ibge_code_is_valid("280030")
    assert not ibge_code_is_valid("28003O8")


def test_the_uf_codes_agree_with_the_build_script():
    assert {uf: code for code, uf in UF_BY_CODE.items()} == UF_IBGE_CODES


def test_list_by_uf_is_sorted_by_name_with_accents_in_place():
    names = [row.name for row in ibge_municipality_list_by_uf("SE")]
    assert len(names) == 75
    assert names[:3] == ["Amparo de São Francisco", "Aquidabã", "Aracaju"]
    assert names.index("Estância") < names.index("Feira Nova")
    al = [row.name for row in ibge_municipality_list_by_uf("al")]
    assert al[:2] == ["Água Branca", "Anadia"]
    assert ibge_municipality_list_by_uf("XX") == []
    assert all(len(ibge_municipality_list_by_uf(uf)) > 0 for uf in State.values)


def test_search_by_prefix_ignores_accents_and_case():
    assert [(row.name, row.uf) for row in ibge_municipality_search("agua bran")] == [
        ("Água Branca", "AL"),
        ("Água Branca", "PB"),
        ("Água Branca", "PI"),
    ]
    assert [row.name for row in ibge_municipality_search("SÃO CRIS", uf="SE")] == ["São Cristóvão"]
    assert ibge_municipality_search("  ") == []


def test_the_build_script_reproduces_the_table(tmp_path):
    source = tmp_path / "dadosOriginais.txt"
    rows = [
        f"{UF_IBGE_CODES[row.uf]}\tEstado\t{row.ibge_code[2:]}\t{row.name}"
        for row in ibge_municipality_list()
    ]
    source.write_text("\n".join(rows + rows[:10]) + "\n", encoding="utf-8")  # repeated rows, as upstream
    output = tmp_path / "municipios.csv"
    assert build(source, output) == 5570
    assert output.read_bytes() == TABLE_PATH.read_bytes()
