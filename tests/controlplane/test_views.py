"""The control plane's public pages, on the vendor's host."""

from __future__ import annotations

from django.test import Client


def test_the_home_links_to_the_live_cities_portals(aracaju, gravatai):
    response = Client(HTTP_HOST="localhost").get("/")

    assert response.status_code == 200
    text = response.content.decode()
    assert aracaju.display_name in text
    assert gravatai.display_name in text


def test_the_accessibility_page_answers_on_the_vendor_host(db):
    response = Client(HTTP_HOST="localhost").get("/acessibilidade/")

    assert response.status_code == 200
