"""Meus dados (LGPD art. 18): the page, the export job and its link, correction requests, consents."""

from __future__ import annotations

import json
import re

from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_queue
from tenant_apps.privacy.models import Consent, DataExport, SubjectRequest
from tenant_apps.privacy.tasks import data_export_build_task
from tests.conftest import client_for

LINK = re.compile(r"/meus-dados/copia/(\d+)/([\w-]+)/pdf/")


def _export_ready(client: Client, municipality, capture) -> tuple[int, str]:
    with capture(execute=True):
        response = client.post("/meus-dados/copia/")
    assert response.status_code == 302
    with tenant_context(municipality):
        export = DataExport.objects.get(user__email=demo.DEMO_CITIZEN["email"], status="pendente")
        data_export_build_task.fn(export_id=export.pk)  # what the worker runs
        body = Notification.objects.get(template_key="privacy_export_ready", channel="email").body
    match = LINK.search(body)
    assert match is not None, body
    return int(match.group(1)), match.group(2)


def test_my_data_lists_what_the_city_holds(aracaju):
    client = client_for("citizen", aracaju)
    page = client.get("/meus-dados/").content.decode()
    assert "Maria da Silva Santos" in page
    assert demo.DEMO_CITIZEN["cpf"] in page
    assert "Quem acessou seus dados" in page
    assert "Encarregado de Dados de Aracaju" in page
    assert client_for("staff", aracaju).get("/meus-dados/").status_code == 302


def test_export_is_built_by_the_job_and_mailed_for_that_citizen_only(
    aracaju, django_capture_on_commit_callbacks
):
    client = client_for("citizen", aracaju)
    export_id, token = _export_ready(client, aracaju, django_capture_on_commit_callbacks)
    # the owner downloads both formats
    pdf = client.get(f"/meus-dados/copia/{export_id}/{token}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    as_json = client.get(f"/meus-dados/copia/{export_id}/{token}/json/")
    data = json.loads(b"".join(as_json.streaming_content))
    assert data["perfil"]["cpf"] == demo.DEMO_CITIZEN["cpf"]
    assert set(data) >= {"protocolos", "manifestacoes", "agendamentos", "notificacoes", "consentimentos"}
    assert "pbkdf2" not in json.dumps(data)  # no password hash
    # someone else, even with the link, gets a clear refusal
    with tenant_context(aracaju):
        other = User.objects.create_user("outra@exemplo.com.br", "Senha-forte-123", full_name="Outra Pessoa")
    stranger = Client(HTTP_HOST="aracaju.localhost")
    stranger.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    refused = stranger.get(f"/meus-dados/copia/{export_id}/{token}/pdf/")
    assert refused.status_code == 403
    assert "Este link não vale para a sua conta ou já venceu" in refused.content.decode()
    # and after it expires, the owner too
    with tenant_context(aracaju):
        DataExport.objects.filter(pk=export_id).update(expires_at=timezone.now())
    assert client.get(f"/meus-dados/copia/{export_id}/{token}/pdf/").status_code == 403
    # a wrong token is the same refusal
    assert client.get(f"/meus-dados/copia/{export_id}/x{token}/pdf/").status_code == 403


def test_correction_request_is_a_case_of_the_dpo_with_15_days(aracaju):
    client = client_for("citizen", aracaju)
    response = client.post(
        "/meus-dados/pedido/", {"kind": "correcao", "details": "Meu celular mudou para 79 98888-0000."}
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        request = SubjectRequest.objects.select_related("case").get()
        case = request.case
        assert case.citizen.email == demo.DEMO_CITIZEN["email"]
        assert (case.deadline - timezone.localdate(case.opened_at)).days == 15
        assert case.service.code == "lgpd-direitos-do-titular"
    # bad input: a clear message, nothing filed
    bad = client.post("/meus-dados/pedido/", {"kind": "correcao", "details": "curto"})
    assert bad.status_code == 400
    assert "Conte o que deve ser corrigido ou eliminado." in bad.content.decode()
    with tenant_context(aracaju):
        assert SubjectRequest.objects.count() == 1


def test_consents_are_recorded_with_text_and_respected_by_notifications(aracaju):
    client = client_for("citizen", aracaju)
    # e-mail off, SMS off, reminders on
    assert client.post("/meus-dados/consentimentos/", {"lembretes": "on"}).status_code == 302
    with tenant_context(aracaju):
        citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
        latest = Consent.objects.filter(user=citizen, purpose="email").first()
        assert latest.granted is False
        assert latest.text_shown == "Avisos por e-mail sobre meus pedidos e manifestações"
        mail.outbox.clear()
        sent = notification_queue(
            template_key="case_updated",
            context={"event_summary": "teste"},
            recipient=citizen,
            channels=("email", "inbox"),
        )
        assert [row.channel for row in sent] == ["inbox"]
        # what the person asked for still goes by e-mail
        asked = notification_queue(
            template_key="privacy_export_ready", context={"expires_at": timezone.now()}, recipient=citizen
        )
        assert [row.channel for row in asked] == ["email"]


def test_privacy_page_is_public_and_admin_edits_it(aracaju):
    page = Client(HTTP_HOST="aracaju.localhost").get("/privacidade/").content.decode()
    assert "encarregado@aracaju.gov.br" in page
    admin = client_for("admin", aracaju)
    assert admin.get("/admin-municipal/privacidade/").status_code == 200
    assert client_for("citizen", aracaju).get("/admin-municipal/privacidade/").status_code == 302


def test_gravatai_citizen_with_same_cpf_sees_only_gravatai(aracaju, gravatai):
    client_for("citizen", aracaju).post(
        "/meus-dados/pedido/", {"kind": "eliminacao", "details": "Apaguem meu celular, por favor."}
    )
    page = client_for("citizen", gravatai).get("/meus-dados/").content.decode()
    assert "Encarregado de Dados de Gravataí" in page
    assert "Encarregado de Dados de Aracaju" not in page
    with tenant_context(gravatai):
        assert SubjectRequest.objects.count() == 0
