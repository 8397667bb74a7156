from django.test import Client

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User

VALID = {
    "full_name": "João Pereira",
    "cpf": "111.444.777-35",
    "email": "Joao@Exemplo.com.br",
    "phone": "(79) 99999-0000",
    "password": "Sergipe#2026forte",
    "password_confirmation": "Sergipe#2026forte",
    "consent": "on",
}


def test_citizen_registers_with_a_valid_cpf_and_is_logged_in(in_aracaju):
    client = Client(HTTP_HOST="aracaju.localhost")

    response = client.post("/cadastro/", VALID)

    assert response.status_code == 302
    assert response["Location"] == "/meus-pedidos/"
    user = User.objects.get(email="joao@exemplo.com.br")
    assert (user.full_name, user.cpf, user.kind, user.phone) == (
        "João Pereira",
        "11144477735",
        UserKind.CITIZEN,
        "(79) 99999-0000",
    )
    assert client.get("/meus-pedidos/").status_code == 200


def test_registration_with_a_bad_cpf_is_refused_in_portuguese_and_saves_nothing(in_aracaju):
    before = User.objects.count()

    response = Client(HTTP_HOST="aracaju.localhost").post("/cadastro/", {**VALID, "cpf": "111.444.777-36"})

    assert response.status_code == 400
    assert "CPF inválido: confira os números digitados." in response.text
    assert User.objects.count() == before


def test_registration_refuses_duplicate_cpf_weak_password_and_mismatch(in_aracaju):
    client = Client(HTTP_HOST="aracaju.localhost")
    before = User.objects.count()

    duplicate = client.post("/cadastro/", {**VALID, "cpf": "529.982.247-25"})
    weak = client.post(
        "/cadastro/", {**VALID, "password": "12345678901", "password_confirmation": "12345678901"}
    )
    mismatch = client.post("/cadastro/", {**VALID, "password_confirmation": "outra-coisa-2026"})
    no_consent = client.post("/cadastro/", {key: value for key, value in VALID.items() if key != "consent"})

    assert "Já existe uma conta com este CPF." in duplicate.text
    assert "muito comum" in weak.text or "inteiramente numérica" in weak.text
    assert "As senhas não conferem." in mismatch.text
    assert "É preciso concordar para criar a conta." in no_consent.text
    assert User.objects.count() == before


def test_registration_in_one_city_does_not_create_an_account_in_another(aracaju, gravatai):
    Client().post("/cadastro/", VALID, HTTP_HOST="aracaju.localhost")

    response = Client().post(
        "/entrar/", {"email": VALID["email"], "password": VALID["password"]}, HTTP_HOST="gravatai.localhost"
    )

    assert response.status_code == 400
    assert "E-mail ou senha incorretos." in response.text


def test_citizen_login_and_logout(db):
    client = Client(HTTP_HOST="gravatai.localhost")

    login = client.post("/entrar/", {"email": "cidadao@exemplo.com.br", "password": "Cidadao#2026"})
    page = client.get("/meus-pedidos/")
    logout = client.post("/sair/")
    after = client.get("/meus-pedidos/")

    assert login.status_code == 302
    assert "Olá, Maria." in page.text
    assert logout.status_code == 302
    assert after.status_code == 302


def test_staff_credentials_do_not_open_the_citizen_login(db):
    response = Client(HTTP_HOST="aracaju.localhost").post(
        "/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"}
    )

    assert response.status_code == 400
    assert "E-mail ou senha incorretos." in response.text
