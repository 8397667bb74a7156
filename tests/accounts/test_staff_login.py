import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tests.otp import unused_code


def current_code(email: str = "servidor@aracaju.se.gov.br") -> str:
    return unused_code(email, schema="aracaju")


def key_code(key_hex: str = demo.DEMO_TOTP_KEY_HEX) -> str:
    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6):06d}"


def wrong_code() -> str:
    return f"{(int(current_code()) + 500000) % 1000000:06d}"


def test_staff_logs_in_with_password_and_totp(db):
    client = Client(HTTP_HOST="aracaju.localhost")

    first = client.post(
        "/staff/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"}
    )
    before_code = client.get("/staff/")
    second = client.post("/staff/entrar/codigo/", {"token": current_code()})
    home = client.get("/staff/")

    assert first.status_code == 302
    assert first["Location"] == "/staff/entrar/codigo/"
    assert before_code.status_code == 302  # the password alone opens nothing
    assert second.status_code == 302
    assert second["Location"] == "/staff/"
    assert home.status_code == 200
    assert "SEPLOG-PROT" in home.text
    assert "Sérgio Servidor" in home.text


def test_wrong_totp_code_is_refused(db):
    client = Client(HTTP_HOST="aracaju.localhost")
    client.post("/staff/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"})

    response = client.post("/staff/entrar/codigo/", {"token": wrong_code()})

    assert response.status_code == 400
    assert "Código inválido ou expirado." in response.text
    assert client.get("/staff/").status_code == 302


def test_one_typo_then_the_right_code_logs_in(db):
    client = Client(HTTP_HOST="aracaju.localhost")
    client.post("/staff/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"})
    client.post("/staff/entrar/codigo/", {"token": wrong_code()})

    response = client.post("/staff/entrar/codigo/", {"token": current_code()})

    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_repeated_wrong_codes_are_throttled(db):
    client = Client(HTTP_HOST="aracaju.localhost")
    client.post("/staff/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"})
    for _attempt in range(3):
        client.post("/staff/entrar/codigo/", {"token": wrong_code()})

    response = client.post("/staff/entrar/codigo/", {"token": current_code()})

    assert response.status_code == 429
    assert "Muitas tentativas erradas" in response.text


def test_staff_without_a_device_enrolls_on_first_login(in_gravatai):
    User.objects.create_user(
        "nova@gravatai.rs.gov.br", "Gravatai#2026x", full_name="Nova Servidora", kind=UserKind.STAFF
    )
    client = Client(HTTP_HOST="gravatai.localhost")

    first = client.post("/staff/entrar/", {"email": "nova@gravatai.rs.gov.br", "password": "Gravatai#2026x"})
    page = client.get("/staff/entrar/ativar/")
    device = TOTPDevice.objects.get(user__email="nova@gravatai.rs.gov.br")
    confirm = client.post("/staff/entrar/ativar/", {"token": key_code(device.key)})

    assert first["Location"] == "/staff/entrar/ativar/"
    assert "<svg" in page.text
    assert "otpauth" not in page.text.split("<svg", 1)[0]
    assert confirm.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/staff/").status_code == 200


def test_citizen_credentials_do_not_open_the_staff_login(db):
    response = Client(HTTP_HOST="aracaju.localhost").post(
        "/staff/entrar/", {"email": "cidadao@exemplo.com.br", "password": "Cidadao#2026"}
    )

    assert response.status_code == 400
    assert "E-mail ou senha incorretos." in response.text


def test_vendor_support_credentials_do_not_work_in_a_city(db):
    client = Client(HTTP_HOST="aracaju.localhost")

    response = client.post("/staff/entrar/", {"email": demo.SUPPORT_EMAIL, "password": demo.DEMO_PASSWORD})

    assert response.status_code == 400
    assert "E-mail ou senha incorretos." in response.text


def test_vendor_support_logs_into_the_control_plane_with_totp(db):
    client = Client(HTTP_HOST="localhost")

    client.post("/suporte/entrar/", {"email": demo.SUPPORT_EMAIL, "password": demo.DEMO_PASSWORD})
    client.post("/suporte/entrar/codigo/", {"token": key_code()})
    console = client.get("/suporte/")

    assert console.status_code == 200
    assert "<code>aracaju</code>" in console.text
    assert "<code>gravatai</code>" in console.text


def test_city_staff_credentials_do_not_open_the_control_plane(db):
    response = Client(HTTP_HOST="localhost").post(
        "/suporte/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/entrar/", "/staff/entrar/"])
def test_password_guessing_is_locked_out_after_five_failures(db, path):
    client = Client(HTTP_HOST="aracaju.localhost")
    email = "cidadao@exemplo.com.br" if path == "/entrar/" else "servidor@aracaju.se.gov.br"
    password = "Cidadao#2026" if path == "/entrar/" else "Paco#Demo2026"

    failures = [client.post(path, {"email": email, "password": f"errada-{n}"}).status_code for n in range(5)]
    locked = client.post(path, {"email": email, "password": password})

    assert failures[:4] == [400, 400, 400, 400]
    assert locked.status_code == 429
    assert "Acesso temporariamente bloqueado" in locked.text
    assert client.get("/meus-pedidos/").status_code == 302


def test_lockout_in_one_city_does_not_lock_the_same_email_in_another(db):
    client = Client()
    for n in range(6):
        client.post(
            "/entrar/",
            {"email": "cidadao@exemplo.com.br", "password": f"x{n}"},
            HTTP_HOST="aracaju.localhost",
        )

    other = client.post(
        "/entrar/",
        {"email": "cidadao@exemplo.com.br", "password": "Cidadao#2026"},
        HTTP_HOST="gravatai.localhost",
    )

    assert other.status_code == 302


def test_pending_second_factor_expires(db, monkeypatch):
    client = Client(HTTP_HOST="aracaju.localhost")
    client.post("/staff/entrar/", {"email": "servidor@aracaju.se.gov.br", "password": "Paco#Demo2026"})
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 301)

    response = client.post("/staff/entrar/codigo/", {"token": current_code()})

    assert response.status_code == 302
    assert response["Location"] == "/staff/entrar/"


def test_lockout_counts_the_client_behind_a_trusted_proxy(db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(HTTP_HOST="aracaju.localhost", REMOTE_ADDR="10.0.0.5")
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    neighbour = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}

    for n in range(5):
        client.post("/entrar/", {"email": "cidadao@exemplo.com.br", "password": f"x{n}"}, **attacker)
    locked = client.post(
        "/entrar/", {"email": "cidadao@exemplo.com.br", "password": "Cidadao#2026"}, **attacker
    )
    spoofed = client.post(
        "/entrar/",
        {"email": "cidadao@exemplo.com.br", "password": "Cidadao#2026"},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",  # a client-written entry before the proxy's
    )
    other = Client(HTTP_HOST="aracaju.localhost", REMOTE_ADDR="10.0.0.5").post(
        "/entrar/", {"email": "cidadao@exemplo.com.br", "password": "Cidadao#2026"}, **neighbour
    )

    assert locked.status_code == 429
    assert spoofed.status_code == 429
    assert other.status_code == 302
