"""Staff pages of this round: a refund (devolução) with a reason from the guide's page, a one-off
guide for a taxpayer, and the municipal admin's PSP page (secrets encrypted, never shown back)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco.encryption import decrypt
from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import GuideEvent, PaymentGuide, PspCredentials, Refund
from tenant_apps.payments.services import guide_mark_paid
from tests.certificates import certificate, certificate_pem, key_pem

from .conftest import issue

HOST = "aracaju.localhost"


def _paid(aracaju, reference: str = "S-1") -> PaymentGuide:
    with tenant_context(aracaju):
        owner = User.objects.get(email=DEMO_CITIZEN["email"])
        guide = issue(reference, owner=owner)
        manager = User.objects.get(email="gestor@aracaju.gov.br")
        return guide_mark_paid(guide=guide, actor=manager, reason="Pix conferido no extrato de 06/12")


def pem_pair(common_name: str = "prefeitura.aracaju.example") -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    return certificate_pem(certificate(common_name=common_name, key=key, days=365)), key_pem(key)


def test_a_manager_refunds_part_of_a_paid_guide_with_a_reason_and_both_pages_show_it(
    aracaju, login_as
) -> None:
    guide = _paid(aracaju)
    url = f"/staff/guias/{guide.year}/{guide.number}/devolver/"
    form = {"devolver-amount": "40,00", "devolver-reason": "Taxa cobrada a maior"}
    assert login_as("staff", aracaju).post(url, form, HTTP_HOST=HOST).status_code == 404
    manager = login_as("manager", aracaju)
    too_much = manager.post(url, {**form, "devolver-amount": "150,01"}, HTTP_HOST=HOST)
    assert too_much.status_code == 400
    assert "O valor passa do que ainda pode ser devolvido (R$ 150,00)" in too_much.content.decode()
    no_reason = manager.post(url, {**form, "devolver-reason": ""}, HTTP_HOST=HOST)
    assert no_reason.status_code == 400
    with tenant_context(aracaju):
        assert not Refund.objects.filter(guide=guide).exists()
    assert manager.post(url, form, HTTP_HOST=HOST).status_code == 302
    page = manager.get(f"/staff/guias/{guide.year}/{guide.number}/", HTTP_HOST=HOST).content.decode()
    assert "Devoluções" in page
    assert "Taxa cobrada a maior" in page
    assert "R$ 40,00 devolvidos ao pagador." in page
    assert "até R$ 110,00" in page
    citizen = login_as("citizen", aracaju)
    mine = citizen.get(f"/minha-conta/guias/{guide.year}/{guide.number}/", HTTP_HOST=HOST).content.decode()
    assert "R$ 40,00 devolvidos ao pagador." in mine
    with tenant_context(aracaju):
        refund = Refund.objects.get(guide=guide)
        # no PSP: the refund was made at the bank by hand, recorded as done with who and why
        assert (refund.status, refund.amount, refund.requested_by.email) == (
            "devolvida",
            Decimal("40.00"),
            "gestor@aracaju.gov.br",
        )
        event = GuideEvent.objects.get(guide=guide, kind="devolucao_pedida")
        assert (event.actor.email, event.reason) == ("gestor@aracaju.gov.br", "Taxa cobrada a maior")
    rest = manager.post(url, {**form, "devolver-amount": "110,00"}, HTTP_HOST=HOST)
    assert rest.status_code == 302
    whole = citizen.get(f"/minha-conta/guias/{guide.year}/{guide.number}/", HTTP_HOST=HOST).content.decode()
    assert "O pagamento foi devolvido integralmente ao pagador." in whole


def test_a_manager_issues_a_one_off_guide_for_a_taxpayer(aracaju, login_as) -> None:
    url = "/staff/guias/nova/"
    assert login_as("staff", aracaju).get(url, HTTP_HOST=HOST).status_code == 404
    manager = login_as("manager", aracaju)
    assert 'name="payer_document"' in manager.get(url, HTTP_HOST=HOST).content.decode()
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    form = {
        "payer_name": "Maria da Silva Santos",
        "payer_document": "529.982.247-25",
        "description": "Taxa de uso de espaço público: feira de 12/12",
        "amount": "87,50",
        "due_date": due,
    }
    with tenant_context(aracaju):
        before = PaymentGuide.objects.count()
    bad_document = manager.post(url, {**form, "payer_document": "11.222.333/0001-80"}, HTTP_HOST=HOST)
    assert bad_document.status_code == 400
    assert "CPF ou CNPJ do pagador inválido" in bad_document.content.decode()
    past = manager.post(url, {**form, "due_date": "2020-01-01"}, HTTP_HOST=HOST)
    assert "O vencimento não pode ser no passado." in past.content.decode()
    with tenant_context(aracaju):
        assert PaymentGuide.objects.count() == before
    done = manager.post(url, form, HTTP_HOST=HOST)
    assert done.status_code == 302
    with tenant_context(aracaju):
        guide = PaymentGuide.objects.get(purpose="avulsa", description=form["description"])
        assert (guide.amount, guide.payer_document, guide.due_date.isoformat()) == (
            Decimal("87.50"),
            "52998224725",
            due,
        )
        assert guide.owner.email == DEMO_CITIZEN["email"]  # the citizen with that CPF sees it
        assert guide.events.get(kind="emitida").actor.email == "gestor@aracaju.gov.br"
        assert guide.br_code.startswith("000201")
    assert done["Location"] == f"/staff/guias/{guide.year}/{guide.number}/"
    mine = login_as("citizen", aracaju).get("/minha-conta/guias/", HTTP_HOST=HOST).content.decode()
    assert guide.display_number in mine


def test_the_admin_sets_the_citys_psp_and_its_secrets_are_never_shown_back(aracaju, login_as, caplog) -> None:
    cert_pem, key_pem = pem_pair()
    with tenant_context(aracaju):
        PspCredentials.objects.all().delete()  # the demo's switched-off sandbox PSP
    admin = login_as("admin", aracaju)
    url = "/admin-municipal/pix/psp/"
    assert login_as("manager", aracaju).get(url, HTTP_HOST=HOST).status_code == 404
    form = {
        "enabled": "on",
        "api_url": "https://pix.banco.example/api",
        "scope": "cob.write cob.read pix.write pix.read webhook.write",
        "client_id": "prefeitura-aracaju",
        "client_secret": "s3gr3do-do-psp-da-cidade",
        "certificate_pem": cert_pem,
        "private_key_pem": key_pem,
        "webhook_client_subject": "CN=webhook.banco.example,O=Banco Exemplo SA,C=BR",
    }
    bad = admin.post(url, {**form, "api_url": "http://pix.banco.example/api"}, HTTP_HOST=HOST)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "O endereço do PSP precisa começar com https://." in html
    assert "s3gr3do-do-psp-da-cidade" not in html
    assert "PRIVATE KEY" not in html
    mismatched = admin.post(url, {**form, "private_key_pem": pem_pair()[1]}, HTTP_HOST=HOST)
    assert "são inválidos" in mismatched.content.decode()
    with tenant_context(aracaju):
        assert not PspCredentials.objects.exists()
    assert admin.post(url, form, HTTP_HOST=HOST).status_code == 302
    page = admin.get(url, HTTP_HOST=HOST).content.decode()
    assert "s3gr3do-do-psp-da-cidade" not in page
    assert "PRIVATE KEY" not in page
    assert "CN=prefeitura.aracaju.example" in page  # who the certificate names: public
    assert "o PSP da prefeitura" in page
    assert "/api/v1/payments/psp" in page
    with tenant_context(aracaju):
        row = PspCredentials.objects.get()
        assert decrypt(row.client_secret_encrypted) == "s3gr3do-do-psp-da-cidade"
        assert decrypt(row.private_key_encrypted) == key_pem.strip()
        assert "PRIVATE KEY" not in row.private_key_encrypted
        assert row.changed_by.email.startswith("admin")
    # saving again with the secret fields empty keeps them
    kept = {
        key: value
        for key, value in form.items()
        if key not in ("client_secret", "private_key_pem", "certificate_pem")
    }
    assert admin.post(url, kept, HTTP_HOST=HOST).status_code == 302
    with tenant_context(aracaju):
        assert decrypt(PspCredentials.objects.get().client_secret_encrypted) == "s3gr3do-do-psp-da-cidade"
    assert "s3gr3do" not in caplog.text
    assert "PRIVATE KEY" not in caplog.text


def test_a_guide_waiting_for_its_charge_at_the_psp_says_so_and_shows_no_code(
    aracaju, login_as, settings
) -> None:
    settings.PAYMENTS_DEMO_BANK = True
    with tenant_context(aracaju):
        owner = User.objects.get(email=DEMO_CITIZEN["email"])
        guide = issue("S-WAIT", owner=owner)
        PaymentGuide.objects.filter(pk=guide.pk).update(
            br_code=""
        )  # as between the insert and the PSP's answer
    page = login_as("citizen", aracaju).get(
        f"/minha-conta/guias/{guide.year}/{guide.number}/", HTTP_HOST=HOST
    )
    html = page.content.decode()
    assert "A cobrança está sendo registrada no banco da prefeitura." in html
    assert "paco-pix-qr" not in html
    assert "Copiar código Pix" not in html
    assert "/demo-banco/" not in html
