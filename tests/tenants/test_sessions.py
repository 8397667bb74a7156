from django.test import Client

from paco_demo import cities as demo


def _citizen_login(client: Client, host: str):
    return client.post(
        "/entrar/",
        {"email": demo.DEMO_CITIZEN["email"], "password": demo.CITIZEN_PASSWORD},
        HTTP_HOST=host,
    )


def test_session_and_csrf_cookies_are_host_only(db):
    client = Client()
    client.get("/entrar/", HTTP_HOST="aracaju.localhost")
    response = _citizen_login(client, "aracaju.localhost")

    assert response.status_code == 302
    assert client.cookies["sessionid"]["domain"] == ""
    assert client.cookies["csrftoken"]["domain"] == ""


def test_a_session_from_one_city_is_not_valid_on_another(db):
    # given: the same citizen e-mail exists in both cities, logged in at Aracaju only
    client = Client()
    assert _citizen_login(client, "aracaju.localhost").status_code == 302
    assert client.get("/meus-pedidos/", HTTP_HOST="aracaju.localhost").status_code == 200

    # when: the very same session cookie is sent to Gravataí's host
    response = client.get("/meus-pedidos/", HTTP_HOST="gravatai.localhost")

    # then: Gravataí does not know that session
    assert response.status_code == 302
    assert response["Location"].startswith("/entrar/")


def test_a_city_session_is_not_valid_on_the_control_plane(db):
    client = Client()
    _citizen_login(client, "aracaju.localhost")

    response = client.get("/suporte/", HTTP_HOST="localhost")

    assert response.status_code == 302
    assert response["Location"].startswith("/suporte/entrar/")
