import logging
import re
import time

from django.core import signing
from django.test import Client
from django_tenants.utils import tenant_context

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


def _signup(client: Client, data: dict, capture) -> object:
    with capture(execute=True):
        return client.post("/cadastro/", data)


def _normalized(html: str) -> str:
    """A page without what differs on every response anyway (CSP nonce, CSRF token)."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _activation_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/cadastro/ativar/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _open(client: Client, link: str):
    """Follow the e-mailed link: it hands the token to the session and goes to the confirm page."""
    redirect = client.get(link)
    assert redirect.status_code == 302
    assert redirect["Location"] == "/cadastro/ativacao/"
    return client.get("/cadastro/ativacao/")


def _activate(client: Client, link: str):
    _open(client, link)
    return client.post("/cadastro/ativacao/")


def test_citizen_signs_up_and_the_account_works_only_after_the_emailed_link(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client(HTTP_HOST="aracaju.localhost")

    # when: a citizen signs up
    response = _signup(client, VALID, django_capture_on_commit_callbacks)

    # then: the account exists but is inactive; the e-mail carries the activation link
    assert response.status_code == 302
    assert response["Location"] == "/cadastro/enviado/"
    user = User.objects.get(email="joao@exemplo.com.br")
    assert (user.full_name, user.cpf, user.kind, user.phone, user.is_active) == (
        "João Pereira",
        "11144477735",
        UserKind.CITIZEN,
        "(79) 99999-0000",
        False,
    )
    assert [message.to for message in mailoutbox] == [["joao@exemplo.com.br"]]
    assert "Ative a sua conta" in mailoutbox[0].subject
    sent = client.get("/cadastro/enviado/")
    assert "Enviamos uma mensagem para o e-mail informado" in sent.text
    login = {"email": VALID["email"], "password": VALID["password"]}
    assert "E-mail ou senha incorretos." in client.post("/entrar/", login).text

    # when: the link is opened (a page with one button) and confirmed
    link = _activation_link(mailoutbox[0])
    page = _open(client, link)
    activated = client.post("/cadastro/ativacao/")

    # then: active and logged in; the link opens nothing a second time
    assert page.status_code == 200
    assert link.split("/")[-2] not in page.text
    assert activated.status_code == 302
    assert activated["Location"] == "/meus-pedidos/"
    assert client.get("/meus-pedidos/").status_code == 200
    user.refresh_from_db()
    assert user.is_active
    again = Client(HTTP_HOST="aracaju.localhost")
    assert _open(again, link).status_code == 410
    assert again.post("/cadastro/ativacao/").status_code == 410
    assert again.post("/entrar/", login).status_code == 302


def test_signup_answers_the_same_whether_or_not_the_email_or_cpf_has_an_account(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks
):
    existing = User.objects.get(email="cidadao@exemplo.com.br")
    password_before = existing.password
    fresh = {**VALID, "email": "nova.pessoa@exemplo.com.br", "cpf": "111.444.777-35"}
    same_email = {**VALID, "email": "Cidadao@Exemplo.com.br", "cpf": "935.411.347-80"}
    same_cpf = {**VALID, "email": "outra.pessoa@exemplo.com.br", "cpf": existing.cpf}
    answers = []

    # when: three signups, a new person, an existing e-mail, an existing CPF
    for data in (fresh, same_email, same_cpf):
        client = Client(HTTP_HOST="aracaju.localhost")
        response = _signup(client, data, django_capture_on_commit_callbacks)
        page = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], page.status_code, _normalized(page.text)))

    # then: the same answer three times, nothing changed on the existing account
    assert answers[0] == answers[1] == answers[2]
    existing.refresh_from_db()
    assert existing.password == password_before
    assert existing.is_active
    assert not User.objects.filter(email="outra.pessoa@exemplo.com.br").exists()
    assert User.objects.filter(cpf=existing.cpf).count() == 1

    # and: each e-mail says what happened, to the address it concerns
    by_address = {(message.to[0], message.subject.split(" — ")[0]): message.body for message in mailoutbox}
    assert set(by_address) == {
        ("nova.pessoa@exemplo.com.br", "Ative a sua conta"),
        ("cidadao@exemplo.com.br", "Tentativa de cadastro com o seu e-mail"),
        ("outra.pessoa@exemplo.com.br", "Não foi possível criar a sua conta"),
        ("cidadao@exemplo.com.br", "Tentativa de cadastro com o seu CPF"),
    }
    tried = by_address[("cidadao@exemplo.com.br", "Tentativa de cadastro com o seu e-mail")]
    assert "Se foi você, entre com o seu e-mail e a sua senha" in tried
    assert "/senha/esqueci/" in tried
    assert "/cadastro/ativar/" not in tried


def test_a_newer_signup_replaces_one_never_activated_and_kills_its_link(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client(HTTP_HOST="aracaju.localhost")
    _signup(client, VALID, django_capture_on_commit_callbacks)
    first = _activation_link(mailoutbox[0])

    _signup(client, {**VALID, "full_name": "João P. Pereira"}, django_capture_on_commit_callbacks)

    assert User.objects.filter(email="joao@exemplo.com.br").count() == 1
    assert _open(client, first).status_code == 410
    assert _activate(client, _activation_link(mailoutbox[1])).status_code == 302
    assert User.objects.get(email="joao@exemplo.com.br").full_name == "João P. Pereira"


def test_an_expired_or_forged_activation_link_opens_nothing(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.CITIZEN_ACTIVATION_HOURS = 48
    old = signing.b62_encode(int(time.time()) - 49 * 3600)
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: old)
        _signup(Client(HTTP_HOST="aracaju.localhost"), VALID, django_capture_on_commit_callbacks)
    link = _activation_link(mailoutbox[0])
    token = link.split("/")[-2]

    expired = _activate(Client(HTTP_HOST="aracaju.localhost"), link)
    forged = _activate(Client(HTTP_HOST="aracaju.localhost"), link.replace(token, token[:-2] + "xx"))

    assert (expired.status_code, forged.status_code) == (410, 410)
    assert "Este link de ativação não vale mais" in expired.text
    assert not User.objects.get(email="joao@exemplo.com.br").is_active


def test_an_activation_link_of_one_city_opens_nothing_in_another(
    aracaju, gravatai, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant_context(aracaju):
        _signup(Client(HTTP_HOST="aracaju.localhost"), VALID, django_capture_on_commit_callbacks)
    link = _activation_link(mailoutbox[0])

    assert _activate(Client(HTTP_HOST="gravatai.localhost"), link).status_code == 410
    with tenant_context(aracaju):
        assert not User.objects.get(email="joao@exemplo.com.br").is_active


def test_the_activation_token_is_never_logged(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    client = Client(HTTP_HOST="aracaju.localhost")

    _signup(client, VALID, django_capture_on_commit_callbacks)
    token = _activation_link(mailoutbox[0]).split("/")[-2]
    _activate(client, f"/cadastro/ativar/{token}/")
    _activate(client, f"/cadastro/ativar/{token}/")  # used again: refused

    assert User.objects.get(email="joao@exemplo.com.br").is_active
    assert "citizen signup" in caplog.text
    assert token not in caplog.text
    assert token[-20:] not in caplog.text


def test_login_answers_the_same_for_an_unknown_email_a_wrong_password_and_an_unactivated_account(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks
):
    _signup(Client(HTTP_HOST="aracaju.localhost"), VALID, django_capture_on_commit_callbacks)
    attempts = [
        {"email": "ninguem@exemplo.com.br", "password": "Qualquer#2026senha"},
        {"email": "cidadao@exemplo.com.br", "password": "Qualquer#2026senha"},
        {"email": VALID["email"], "password": VALID["password"]},  # not yet activated
    ]

    answers = []
    for attempt in attempts:
        response = Client(HTTP_HOST="aracaju.localhost").post("/entrar/", attempt)
        body = _normalized(response.text).replace(attempt["email"], "")
        answers.append((response.status_code, body))

    assert answers[0][0] == 400
    assert answers[0] == answers[1] == answers[2]
    assert "E-mail ou senha incorretos." in answers[0][1]


def test_registration_with_a_bad_cpf_is_refused_in_portuguese_and_saves_nothing(in_aracaju):
    before = User.objects.count()

    response = Client(HTTP_HOST="aracaju.localhost").post("/cadastro/", {**VALID, "cpf": "111.444.777-36"})

    assert response.status_code == 400
    assert "CPF inválido: confira os números digitados." in response.text
    assert User.objects.count() == before


def test_registration_refuses_a_weak_password_a_mismatch_and_no_consent(in_aracaju):
    client = Client(HTTP_HOST="aracaju.localhost")
    before = User.objects.count()

    weak = client.post(
        "/cadastro/", {**VALID, "password": "12345678901", "password_confirmation": "12345678901"}
    )
    mismatch = client.post("/cadastro/", {**VALID, "password_confirmation": "outra-coisa-2026"})
    no_consent = client.post("/cadastro/", {key: value for key, value in VALID.items() if key != "consent"})

    assert "muito comum" in weak.text or "inteiramente numérica" in weak.text
    assert "As senhas não conferem." in mismatch.text
    assert "É preciso concordar para criar a conta." in no_consent.text
    assert User.objects.count() == before


def test_registration_in_one_city_does_not_create_an_account_in_another(
    aracaju, gravatai, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant_context(aracaju):
        _signup(Client(HTTP_HOST="aracaju.localhost"), VALID, django_capture_on_commit_callbacks)
        _activate(Client(HTTP_HOST="aracaju.localhost"), _activation_link(mailoutbox[0]))

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
