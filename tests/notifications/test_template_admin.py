"""Municipal admins edit the notification texts in the browser; nobody else can."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from tenant_apps.notifications.defaults import DEFAULT_TEMPLATES
from tenant_apps.notifications.models import NotificationTemplate
from tenant_apps.notifications.services import notification_queue, notification_template_save
from tests.conftest import client_for
from tests.notifications.conftest import case_context

EDIT = "/admin-municipal/notificacoes/case_opened/"
VALID = {
    "subject": "Pedido {{ case.nup }} registrado",
    "email_body": "Prezado(a) {{ recipient_name }}, seu pedido {{ case.nup }} foi registrado. {{ link }}",
    "sms_body": "Pedido {{ case.nup }} registrado. {{ link }}",
}


def _saved(municipality) -> list[tuple[str, str]]:
    with tenant_context(municipality):
        return list(NotificationTemplate.objects.values_list("key", "subject"))


@pytest.mark.parametrize(
    ("role", "list_status", "edit_status", "post_status"),
    [
        ("anonymous", 302, 302, 302),
        ("citizen", 302, 302, 302),
        ("staff", 404, 404, 404),
        ("manager", 404, 404, 404),
        ("admin", 200, 200, 302),
        ("support", 302, 302, 302),
    ],
)
def test_only_the_municipal_admin_edits_texts(aracaju, role, list_status, edit_status, post_status):
    client = client_for(role, aracaju)
    host = {"HTTP_HOST": "aracaju.localhost"}

    assert client.get("/admin-municipal/notificacoes/", **host).status_code == list_status
    assert client.get(EDIT, **host).status_code == edit_status
    assert client.post(EDIT, VALID, **host).status_code == post_status

    expected = [("case_opened", "Pedido {{ case.nup }} registrado")] if role == "admin" else []
    assert _saved(aracaju) == expected


def test_the_list_shows_every_key_and_which_ones_are_custom(aracaju):
    client = client_for("admin", aracaju)
    client.post(EDIT, VALID)

    page = client.get("/admin-municipal/notificacoes/").content.decode()

    for key in DEFAULT_TEMPLATES:
        assert f"/admin-municipal/notificacoes/{key}/" in page
    assert page.count("personalizado") == 1
    assert "Protocolo recebido (para o requerente)" in page


def test_the_edited_text_is_used_for_new_notifications(aracaju):
    client_for("admin", aracaju).post(EDIT, VALID)

    with tenant_context(aracaju):
        [notification] = notification_queue(
            template_key="case_opened", context=case_context(), email="a@exemplo.com.br", link_url="http://x/"
        )

    assert notification.subject == "Pedido 10005.000001/2026-11 registrado"
    assert notification.body == "Prezado(a) , seu pedido 10005.000001/2026-11 foi registrado. http://x/"


def test_a_syntax_error_is_a_portuguese_form_error_and_saves_nothing(aracaju):
    client = client_for("admin", aracaju)

    response = client.post(EDIT, {**VALID, "email_body": "Olá {% if case.nup %}sem fim"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Texto do e-mail: erro de sintaxe no modelo" in page
    assert "Olá {% if case.nup %}sem fim" in page  # the admin's text is kept in the form
    assert _saved(aracaju) == []


def test_tags_that_reach_files_or_dump_the_context_are_refused(in_aracaju):
    with pytest.raises(ApplicationError, match="Texto do SMS: a tag “debug” não é permitida"):
        notification_template_save(key="case_opened", subject="x", email_body="y", sms_body="{% debug %}")
    with pytest.raises(ApplicationError, match="Assunto: a tag “include” não é permitida"):
        notification_template_save(
            key="case_opened", subject='{% include "/etc/passwd" %}', email_body="y", sms_body="z"
        )
    assert not NotificationTemplate.objects.exists()


def test_an_unknown_key_is_a_404(aracaju):
    client = client_for("admin", aracaju)

    assert client.get("/admin-municipal/notificacoes/nao_existe/").status_code == 404
    assert client.post("/admin-municipal/notificacoes/nao_existe/", VALID).status_code == 404
    assert _saved(aracaju) == []


def test_reset_goes_back_to_the_default_text(aracaju):
    client = client_for("admin", aracaju)
    client.post(EDIT, VALID)

    response = client.post(f"{EDIT}padrao/")

    assert (response.status_code, response["Location"]) == (302, "/admin-municipal/notificacoes/")
    assert _saved(aracaju) == []
    assert DEFAULT_TEMPLATES["case_opened"]["subject"] in client.get(EDIT).content.decode()


def test_staff_cannot_reset(aracaju):
    client_for("admin", aracaju).post(EDIT, VALID)

    assert client_for("staff", aracaju).post(f"{EDIT}padrao/").status_code == 404
    assert client_for("manager", aracaju).post(f"{EDIT}padrao/").status_code == 404

    assert _saved(aracaju) == [("case_opened", "Pedido {{ case.nup }} registrado")]


def test_an_admin_of_aracaju_cannot_edit_gravatais_texts(aracaju, gravatai):
    client = client_for("admin", aracaju)

    response = client.post(EDIT, VALID, HTTP_HOST="gravatai.localhost")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/entrar/")
    assert _saved(gravatai) == []
