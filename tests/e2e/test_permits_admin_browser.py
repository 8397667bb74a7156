"""The municipal admin's permit edit pages in Chromium, in Aracaju, at 390 px and 1366 px: the kind
(its fee table refused when incomplete, then saved), a new checklist document, and a routing rule whose
loop is refused. Only the licença sanitária is changed (the other browser tests use the alvará de
funcionamento and its rule, which stay as they are). Screenshots in the artifacts folder."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
DESKTOP = {"width": 1366, "height": 900}


def _both(page, browser, name: str) -> None:
    screenshot(page, f"{name}-390")
    context = browser.new_context(
        viewport=DESKTOP, locale="pt-BR", storage_state=page.context.storage_state()
    )
    wide = context.new_page()
    wide.goto(page.url)
    screenshot(wide, f"{name}-1366")
    context.close()


def test_the_admin_edits_a_kind_its_checklist_and_a_rule(live_url, phone, browser, aracaju):
    from tenant_apps.permits.models import ChecklistItem, PermitKind, RoutingRule

    base = live_url.format(host="aracaju.localhost")
    with tenant_context(aracaju):
        kind = PermitKind.objects.get(service__code="licenca-sanitaria")
        rule = RoutingRule.objects.filter(is_published=True, retired_at__isnull=True).order_by("pk").first()
        rule_state = (rule.name, rule.stages, rule.version)
    staff_login(phone, base, "admin@aracaju.se.gov.br", landing="/admin-municipal/")
    phone.locator("main").get_by_role("link", name="Alvarás", exact=True).click()
    phone.get_by_role("link", name="Editar tipo e checklist — Licença sanitária").click()
    phone.wait_for_url(f"{base}/admin-municipal/alvaras/tipos/{kind.pk}/")
    _both(phone, browser, "alvaras-admin-1-tipo")

    # incomplete fee table: refused with the message, nothing saved
    phone.get_by_label("Como a taxa é cobrada").select_option("area")
    phone.get_by_role("button", name="Salvar tipo de alvará").click()
    expect(phone.locator("body")).to_contain_text("Informe ao menos uma faixa de área com o seu valor.")
    screenshot(phone, "alvaras-admin-2-tipo-erro-390")
    with tenant_context(aracaju):
        assert PermitKind.objects.get(pk=kind.pk).fee_mode == "fixa"

    phone.get_by_label("Como a taxa é cobrada").select_option("fixa")
    phone.get_by_label("Valor fixo (R$)").fill("195,00")
    phone.get_by_label("Prazo de decisão (dias úteis)").fill("25")
    phone.get_by_role("button", name="Salvar tipo de alvará").click()
    expect(phone.locator("body")).to_contain_text("Tipo de alvará salvo.")
    with tenant_context(aracaju):
        saved = PermitKind.objects.get(pk=kind.pk)
        assert (saved.fee_table, saved.decision_days) == ({"valor": "195.00"}, 25)

    name = f"Laudo de dedetização {uuid.uuid4().hex[:4]}"
    phone.get_by_role("link", name="Adicionar documento").click()
    phone.get_by_label("Documento", exact=True).fill(name)
    phone.get_by_label("PDF").check()
    phone.get_by_label("Emitido há no máximo (dias)").fill("180")
    _both(phone, browser, "alvaras-admin-3-documento")
    phone.get_by_role("button", name="Salvar documento").click()
    expect(phone.locator("body")).to_contain_text("Documento do checklist salvo.")
    expect(phone.get_by_role("link", name=name)).to_be_visible()
    screenshot(phone, "alvaras-admin-4-checklist-390")
    with tenant_context(aracaju):
        assert ChecklistItem.objects.get(kind=kind, name=name).validity_days == 180

    phone.goto(f"{base}/admin-municipal/alvaras/regras/{rule.pk}/")
    _both(phone, browser, "alvaras-admin-5-regra")
    phone.get_by_label("Etapas (JSON)").fill(
        '[[{"unidade": "SEMA", "dias": 5}], [{"unidade": "SEMA", "dias": 5}]]'
    )
    phone.get_by_role("button", name="Salvar como nova versão").click()
    expect(phone.locator("body")).to_contain_text("laço")
    screenshot(phone, "alvaras-admin-6-regra-erro-390")
    with tenant_context(aracaju):
        rule.refresh_from_db()
        assert (rule.name, rule.stages, rule.version) == rule_state
        assert not RoutingRule.objects.filter(replaces=rule).exists()
