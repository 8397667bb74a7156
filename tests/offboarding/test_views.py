"""The municipal admin's page and the support list: who may see, export, download, request, cancel."""

from __future__ import annotations

from django.test import Client

from shared_apps.offboarding.enums import ExportStatus
from shared_apps.offboarding.models import ExportArchive, Offboarding
from tenants.enums import MunicipalityStatus
from tests.conftest import client_for
from tests.isolation.matrix_offboarding import SAMPLE_EXPORT_BYTES, export_sample

PAGE = "/admin-municipal/encerramento/"
ARACAJU = "aracaju.localhost"


def _download(export_id: int) -> str:
    return f"{PAGE}exportacoes/{export_id}/baixar/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_admin_sees_the_page_and_downloads_the_citys_own_export(aracaju):
    export = export_sample(aracaju)
    admin = client_for("admin", aracaju)

    page = admin.get(PAGE, HTTP_HOST=ARACAJU)
    response = admin.get(_download(export.pk), HTTP_HOST=ARACAJU)

    assert page.status_code == 200
    assert "Exportação e encerramento" in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-SHA256"] == export.sha256
    assert _body(response) == SAMPLE_EXPORT_BYTES


def test_aracajus_admin_cannot_download_gravatais_export(aracaju, gravatai):
    export = export_sample(gravatai)

    response = client_for("admin", aracaju).get(_download(export.pk), HTTP_HOST=ARACAJU)

    assert response.status_code == 404


def test_other_people_of_the_city_get_no_page_and_change_nothing(aracaju):
    expected = {"anonymous": 302, "citizen": 302, "staff": 404, "manager": 404}
    for role, status in expected.items():
        client = Client(HTTP_HOST=ARACAJU) if role == "anonymous" else client_for(role, aracaju)
        assert client.get(PAGE, HTTP_HOST=ARACAJU).status_code == status, role
        form = {"reason": "Fim", "confirmation": "aracaju"}
        assert client.post(f"{PAGE}solicitar/", form, HTTP_HOST=ARACAJU).status_code == status, role
        assert client.post(f"{PAGE}exportar/", HTTP_HOST=ARACAJU).status_code == status, role
    aracaju.refresh_from_db()
    assert aracaju.status != MunicipalityStatus.CANCELLED
    assert Offboarding.objects.count() == 0
    assert ExportArchive.objects.count() == 0


def test_the_admin_requests_with_the_slug_and_cancels(aracaju):
    admin = client_for("admin", aracaju)
    status_before = aracaju.status

    wrong = admin.post(f"{PAGE}solicitar/", {"reason": "Fim", "confirmation": "gravatai"}, HTTP_HOST=ARACAJU)
    assert wrong.status_code == 400
    assert "O identificador digitado não confere com “aracaju”." in wrong.content.decode()
    assert Offboarding.objects.count() == 0

    requested = admin.post(
        f"{PAGE}solicitar/", {"reason": "Fim do contrato", "confirmation": "aracaju"}, HTTP_HOST=ARACAJU
    )
    aracaju.refresh_from_db()
    assert (requested.status_code, requested["Location"]) == (302, PAGE)
    assert aracaju.status == MunicipalityStatus.CANCELLED
    offboarding = Offboarding.objects.get(municipality=aracaju)
    assert offboarding.requested_by == "admin@aracaju.se.gov.br"
    assert offboarding.export.status == ExportStatus.PENDING

    # a cancelled (read-only) city still exports and cancels
    assert admin.post(f"{PAGE}exportar/", HTTP_HOST=ARACAJU).status_code == 302
    assert ExportArchive.objects.filter(municipality=aracaju).count() == 2
    cancelled = admin.post(f"{PAGE}cancelar/", HTTP_HOST=ARACAJU)
    aracaju.refresh_from_db()
    assert cancelled.status_code == 302
    assert aracaju.status == MunicipalityStatus.TRIAL
    assert status_before in (MunicipalityStatus.TRIAL, MunicipalityStatus.ACTIVE)


def test_support_lists_exports_and_requests_one_for_a_city(aracaju, gravatai):
    export = export_sample(gravatai)
    support = client_for("support", None)

    page = support.get("/suporte/encerramentos/")
    created = support.post(
        "/suporte/encerramentos/exportar/",
        {"municipality": aracaju.pk, "reason": "Pedido do município por telefone"},
    )
    download = support.get(f"/suporte/encerramentos/exportacoes/{export.pk}/baixar/")

    assert page.status_code == 200
    assert "Exportações e encerramentos" in page.content.decode()
    assert (created.status_code, created["Location"]) == (302, "/suporte/encerramentos/")
    pending = ExportArchive.objects.get(municipality=aracaju)
    # the city asks for approval of each support access (the default): the export waits for it
    assert (pending.status, pending.requested_by) == (ExportStatus.AWAITING_CONSENT, "suporte@paco.localhost")
    assert _body(download) == SAMPLE_EXPORT_BYTES


def test_the_control_plane_list_is_for_support_only(aracaju):
    for role in ("anonymous", "citizen", "staff", "admin"):
        client = Client(HTTP_HOST="localhost") if role == "anonymous" else client_for(role, aracaju)
        assert client.get("/suporte/encerramentos/", HTTP_HOST="localhost").status_code == 302, role
        posted = client.post(
            "/suporte/encerramentos/exportar/", {"municipality": aracaju.pk}, HTTP_HOST="localhost"
        )
        assert posted.status_code == 302, role
    assert ExportArchive.objects.count() == 0
