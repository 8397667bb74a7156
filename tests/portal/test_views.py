"""The portal: each city's home shows its own services and org chart, never the other city's."""

from __future__ import annotations

from django.test import Client


def page(slug: str, path: str) -> tuple[int, str]:
    response = Client(HTTP_HOST=f"{slug}.localhost").get(path)
    return response.status_code, response.content.decode()


def test_each_city_home_shows_its_own_org_chart(aracaju, gravatai):
    aracaju_status, aracaju_home = page("aracaju", "/")
    gravatai_status, gravatai_home = page("gravatai", "/")

    assert (aracaju_status, gravatai_status) == (200, 200)
    assert "<strong>EMSURB</strong>" in aracaju_home
    assert "<strong>EMSURB</strong>" not in gravatai_home
    assert "<strong>SMAMT</strong>" in gravatai_home
    assert "<strong>SMAMT</strong>" not in aracaju_home


def test_the_accessibility_page_is_public_and_the_staff_home_asks_for_a_login(aracaju):
    status, _ = page("aracaju", "/acessibilidade/")
    staff = Client(HTTP_HOST="aracaju.localhost").get("/staff/")

    assert status == 200
    assert staff.status_code == 302
    assert "entrar/" in staff["Location"]
