"""Pages, API and the webhook over HTTP, on the city's host."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.models import User
from tenant_apps.payments.enums import GuideStatus
from tenant_apps.payments.models import GuideEvent, PaymentGuide, PixSettings, WebhookEvent
from tenant_apps.payments.services import SIGNATURE_HEADER

from .conftest import issue, notice, pix

HOST = "aracaju.localhost"
WEBHOOK = "/api/v1/payments/webhook/"


def _citizen_guide(aracaju, **kwargs):
    with tenant_context(aracaju):
        owner = User.objects.get(email=DEMO_CITIZEN["email"])
        return issue(owner=owner, **kwargs)


def _post_notice(aracaju, *items, signature: str | None = None):
    with tenant_context(aracaju):
        body, good = notice(*items)
    return Client().post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_HOST=HOST,
        **{f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": good if signature is None else signature},
    )


def test_webhook_over_http_pays_once_and_answers_in_the_pix_api_style(aracaju) -> None:
    guide = _citizen_guide(aracaju)
    first = _post_notice(aracaju, pix(guide))
    again = _post_notice(aracaju, pix(guide))
    assert (first.status_code, first.json()) == (
        200,
        {"recebidos": 1, "aplicados": 1, "repetidos": 0, "nao_aplicados": 0},
    )
    assert again.json() == {"recebidos": 1, "aplicados": 0, "repetidos": 1, "nao_aplicados": 0}
    with tenant_context(aracaju):
        guide.refresh_from_db()
        assert guide.status == GuideStatus.PAID


def test_webhook_wrong_amount_bad_secret_unknown_txid_and_malformed(aracaju) -> None:
    guide = _citizen_guide(aracaju, amount="80.00")
    wrong = _post_notice(aracaju, pix(guide, valor="8.00"))
    assert wrong.json() == {"recebidos": 1, "aplicados": 0, "repetidos": 0, "nao_aplicados": 1}
    bad = _post_notice(aracaju, pix(guide, event_id="E2"), signature="sha256=" + "a" * 64)
    assert (bad.status_code, bad.json()) == (401, {"detail": "Assinatura do aviso inválida."})
    unknown = _post_notice(aracaju, {"endToEndId": "E3", "txid": "TXIDQUENAOEXISTE", "valor": "1.00"})
    assert unknown.status_code == 404
    assert unknown.json() == {
        "detail": "Cobrança desconhecida nesta prefeitura: txid TXIDQUENAOEXISTE.",
        "txids_desconhecidos": ["TXIDQUENAOEXISTE"],
    }
    with tenant_context(aracaju):
        body = b'{"pix": "nada"}'
        from tenant_apps.payments.selectors import pix_webhook_secret
        from tenant_apps.payments.services import webhook_signature

        signature = webhook_signature(secret=pix_webhook_secret(), body=body)
    malformed = Client().post(
        WEBHOOK, body, content_type="application/json", HTTP_HOST=HOST, HTTP_X_PACO_SIGNATURE=signature
    )
    assert (malformed.status_code, malformed.json()) == (
        400,
        {"detail": 'Corpo inválido: esperado {"pix": [...]}.'},
    )
    with tenant_context(aracaju):
        guide.refresh_from_db()
        assert guide.status == GuideStatus.PENDING
        assert not WebhookEvent.objects.filter(event_id="E2").exists()


def test_a_citys_secret_does_not_open_another_citys_webhook(aracaju, gravatai) -> None:
    guide = _citizen_guide(aracaju)
    with tenant_context(aracaju):
        body, signature = notice(pix(guide))
    answer = Client().post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_HOST="gravatai.localhost",
        HTTP_X_PACO_SIGNATURE=signature,
    )
    assert answer.status_code == 401


def test_the_citizen_sees_and_pays_only_their_own_guide(aracaju, login_as) -> None:
    guide = _citizen_guide(aracaju, amount="45.90")
    page = login_as("citizen", aracaju).get(
        f"/minha-conta/guias/{guide.year}/{guide.number}/", HTTP_HOST=HOST
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert guide.br_code in html
    assert "<svg" in html
    assert "R$ 45,90" in html
    assert "Copiar código Pix" in html
    with tenant_context(aracaju):
        other = User.objects.create_user(
            "outra@exemplo.com.br", "x", full_name="Outra Pessoa", kind="citizen"
        )
    client = Client(HTTP_HOST=HOST)
    client.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    connection.set_schema_to_public()
    assert client.get(f"/minha-conta/guias/{guide.year}/{guide.number}/").status_code == 404
    assert guide.display_number not in client.get("/minha-conta/guias/").content.decode()


def test_staff_list_masks_documents_filters_and_has_a_fixed_query_count(aracaju, login_as) -> None:
    for index in range(3):
        _citizen_guide(aracaju, reference=f"L-{index}")
    client = login_as("staff", aracaju)
    client.get("/staff/guias/", HTTP_HOST=HOST)  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        page = client.get("/staff/guias/?situacao=pendente", HTTP_HOST=HOST)
    html = page.content.decode()
    assert page.status_code == 200
    assert "***.982.247-**" in html
    assert "52998224725" not in html
    for index in range(3, 13):
        _citizen_guide(aracaju, reference=f"L-{index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/guias/?situacao=pendente", HTTP_HOST=HOST)
    assert len(many) == len(few)
    paid_only = client.get("/staff/guias/?situacao=paga", HTTP_HOST=HOST).content.decode()
    assert "L-1" not in paid_only


def test_a_manager_marks_a_guide_paid_with_a_reason_and_plain_staff_cannot(aracaju, login_as) -> None:
    guide = _citizen_guide(aracaju)
    url = f"/staff/guias/{guide.year}/{guide.number}/baixa/"
    reason = {"baixa-reason": "Pix conferido no extrato de 06/12"}
    assert login_as("staff", aracaju).post(url, reason, HTTP_HOST=HOST).status_code == 404
    empty = login_as("manager", aracaju).post(url, {"baixa-reason": "pago"}, HTTP_HOST=HOST)
    assert empty.status_code == 400
    assert "Explique o motivo da baixa manual" in empty.content.decode()
    done = login_as("manager", aracaju).post(url, reason, HTTP_HOST=HOST)
    assert done.status_code == 302
    with tenant_context(aracaju):
        guide.refresh_from_db()
        assert guide.status == GuideStatus.PAID
        event = GuideEvent.objects.get(guide=guide, kind="paga_manual")
        assert (event.actor.email, event.reason) == (
            "gestor@aracaju.gov.br",
            "Pix conferido no extrato de 06/12",
        )


def test_the_admin_saves_the_citys_pix_key_through_the_form(aracaju, login_as) -> None:
    client = login_as("admin", aracaju)
    bad = client.post(
        "/admin-municipal/pix/",
        {
            "key_type": "cnpj",
            "key": "11.222.333/0001-80",
            "merchant_name": "Prefeitura",
            "merchant_city": "Aracaju",
        },
        HTTP_HOST=HOST,
    )
    assert bad.status_code == 400
    assert "CNPJ inválido" in bad.content.decode()
    good = client.post(
        "/admin-municipal/pix/",
        {
            "key_type": "cnpj",
            "key": "11.222.333/0001-81",
            "merchant_name": "Prefeitura",
            "merchant_city": "Aracaju",
        },
        HTTP_HOST=HOST,
    )
    assert good.status_code == 302
    with tenant_context(aracaju):
        assert PixSettings.objects.get().key == "11222333000181"


def test_api_lists_the_callers_guides_with_a_cursor(aracaju, login_as) -> None:
    guides = [_citizen_guide(aracaju, reference=f"A-{index}", amount="12.34") for index in range(3)]
    with tenant_context(aracaju):
        issue(reference="ALHEIA", payer_document="11.222.333/0001-81")
    citizen = login_as("citizen", aracaju)
    mine = citizen.get("/api/v1/payments/guides/?finalidade=teste-pagamento", HTTP_HOST=HOST).json()
    assert [row["reference"] for row in mine["results"]] == ["A-2", "A-1", "A-0"]
    assert mine["results"][0]["amount"] == "12.34"
    assert mine["results"][0]["payer_document"] == "***.982.247-**"
    staff = login_as("staff", aracaju)
    page = staff.get("/api/v1/payments/guides/?finalidade=teste-pagamento", HTTP_HOST=HOST).json()
    assert [row["reference"] for row in page["results"]] == ["ALHEIA", "A-2", "A-1", "A-0"]
    detail = citizen.get(f"/api/v1/payments/guides/{guides[0].year}/{guides[0].number}/", HTTP_HOST=HOST)
    assert detail.json()["br_code"] == guides[0].br_code
    with tenant_context(aracaju):
        other = PaymentGuide.objects.get(reference="ALHEIA")
    assert (
        citizen.get(f"/api/v1/payments/guides/{other.year}/{other.number}/", HTTP_HOST=HOST).status_code
        == 404
    )


def test_api_pages_with_the_shared_keyset_cursor(aracaju, login_as) -> None:
    for index in range(3):
        _citizen_guide(aracaju, reference=f"P-{index}")
    client = login_as("staff", aracaju)
    url = "/api/v1/payments/guides/?finalidade=teste-pagamento&limit=2"
    first = client.get(url, HTTP_HOST=HOST).json()
    second = client.get(f"{url}&cursor={first['next']}", HTTP_HOST=HOST).json()
    assert [row["reference"] for row in first["results"] + second["results"]] == ["P-2", "P-1", "P-0"]
    assert second["next"] is None
    assert Decimal(first["results"][0]["amount"]) == Decimal("150.00")
    assert json.dumps(first)  # serialisable as is
    # the old "year.number" cursor and a forged one are refused with a 400 and a Portuguese message
    for bad in ("2026.3", "bm9wZQ"):
        refused = client.get(f"{url}&cursor={bad}", HTTP_HOST=HOST)
        assert refused.status_code == 400
        assert "Cursor inválido" in json.dumps(refused.json(), ensure_ascii=False)


def test_api_list_has_a_fixed_query_count(aracaju, login_as) -> None:
    client = login_as("staff", aracaju)
    url = "/api/v1/payments/guides/?finalidade=teste-pagamento"
    _citizen_guide(aracaju, reference="Q-0")
    client.get(url, HTTP_HOST=HOST)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url, HTTP_HOST=HOST).json()["results"]) == 1
    for index in range(1, 11):
        _citizen_guide(aracaju, reference=f"Q-{index}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url, HTTP_HOST=HOST).json()["results"]) == 11
    assert len(many) == len(few)
