from django.test import Client

from tenants.services import domain_add, domain_remove


def test_each_city_host_serves_its_own_branded_portal(db):
    client = Client()

    aracaju = client.get("/", HTTP_HOST="aracaju.localhost")
    gravatai = client.get("/", HTTP_HOST="gravatai.localhost:8000")

    assert aracaju.status_code == 200
    assert gravatai.status_code == 200
    assert "<title>Início · Prefeitura Municipal de Aracaju</title>" in aracaju.text
    assert "<title>Início · Prefeitura Municipal de Gravataí</title>" in gravatai.text
    assert "--paco-primary: #0b4f9c;" in aracaju.text
    assert "--paco-primary: #1b6e3a;" in gravatai.text
    assert "SEPLOG" in aracaju.text
    assert "SEPLOG" not in gravatai.text
    assert "SESMT" in gravatai.text
    assert "SESMT" not in aracaju.text


def test_control_plane_host_serves_the_public_page(db):
    response = Client().get("/", HTTP_HOST="localhost")

    assert response.status_code == 200
    assert "<title>A prefeitura digital · Paço</title>" in response.text
    assert "Prefeitura Municipal de Aracaju" in response.text


def test_unknown_host_gets_a_friendly_404(db):
    response = Client().get("/staff/", HTTP_HOST="atlantida.localhost")

    assert response.status_code == 404
    assert "Endereço não encontrado" in response.text
    assert "atlantida.localhost" in response.text
    assert "Traceback" not in response.text


def test_coat_of_arms_is_served_from_each_city_storage(db):
    client = Client()

    aracaju = client.get("/marca/brasao.svg", HTTP_HOST="aracaju.localhost")
    gravatai = client.get("/marca/brasao.svg", HTTP_HOST="gravatai.localhost")

    assert aracaju["Content-Type"] == "image/svg+xml"
    aracaju_svg = b"".join(aracaju.streaming_content).decode()
    gravatai_svg = b"".join(gravatai.streaming_content).decode()
    assert "Emblema de Aracaju (SE)" in aracaju_svg
    assert 'fill="#0b4f9c"' in aracaju_svg
    assert "Emblema de Gravataí (RS)" in gravatai_svg


def test_domain_changes_invalidate_the_cached_lookup(aracaju, django_capture_on_commit_callbacks):
    client = Client()
    assert (
        client.get("/", HTTP_HOST="atendimento-aracaju.localhost").status_code == 404
    )  # now cached as unknown

    with django_capture_on_commit_callbacks(execute=True):
        domain = domain_add(municipality=aracaju, hostname="atendimento-aracaju.localhost")
    added = client.get("/", HTTP_HOST="atendimento-aracaju.localhost")

    with django_capture_on_commit_callbacks(execute=True):
        domain_remove(domain=domain)
    removed = client.get("/", HTTP_HOST="atendimento-aracaju.localhost")

    assert added.status_code == 200
    assert "Prefeitura Municipal de Aracaju" in added.text
    assert removed.status_code == 404
