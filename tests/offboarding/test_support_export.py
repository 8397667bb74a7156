"""Issue 10, finding 1: vendor support's export needs the city's consent, is audited and seen by the city."""

from __future__ import annotations

from django.core import mail

from shared_apps.offboarding.enums import ExportStatus
from shared_apps.offboarding.models import ExportArchive
from shared_apps.offboarding.services import export_build
from shared_apps.support.enums import AccessMode, SupportAction
from shared_apps.support.models import SupportActionLog
from shared_apps.support.services import support_policy_set
from tests.conftest import client_for
from tests.isolation.matrix_offboarding import export_sample

EXPORT_URL = "/suporte/encerramentos/exportar/"
CITY_PAGE = "/admin-municipal/encerramento/"
ARACAJU = "aracaju.localhost"
REASON = "A prefeitura pediu uma cópia dos dados"


def _ask(aracaju):
    return client_for("support", None).post(EXPORT_URL, {"municipality": aracaju.pk, "reason": REASON})


def test_a_support_export_waits_for_the_citys_approval_then_is_built(
    aracaju, django_capture_on_commit_callbacks
):
    # given: the default policy (each support access approved by an admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(aracaju)

    export = ExportArchive.objects.get(municipality=aracaju)
    assert response.status_code == 302
    assert (export.status, export.requested_by_support, export.reason) == (
        ExportStatus.AWAITING_CONSENT,
        True,
        REASON,
    )
    # nothing is built while the city has not consented
    assert export_build(export=export).status == ExportStatus.AWAITING_CONSENT
    # audited, and the admins are told by e-mail
    log = SupportActionLog.objects.get(municipality=aracaju, action=SupportAction.EXPORT_REQUEST)
    assert REASON in log.detail
    assert any("pediu a exportação completa" in message.body for message in mail.outbox)
    # the city sees it on its export page, with who asked and why
    admin = client_for("admin", aracaju)
    page = admin.get(CITY_PAGE, HTTP_HOST=ARACAJU).content.decode()
    assert "Aguardando aprovação do município" in page
    assert REASON in page

    approved = admin.post(f"{CITY_PAGE}exportacoes/{export.pk}/aprovar/", HTTP_HOST=ARACAJU)

    export.refresh_from_db()
    assert approved.status_code == 302
    assert (export.status, export.decided_by) == (ExportStatus.PENDING, "admin@aracaju.se.gov.br")


def test_a_denied_support_export_is_never_built(aracaju):
    _ask(aracaju)
    export = ExportArchive.objects.get(municipality=aracaju)

    denied = client_for("admin", aracaju).post(
        f"{CITY_PAGE}exportacoes/{export.pk}/negar/", HTTP_HOST=ARACAJU
    )

    export.refresh_from_db()
    assert denied.status_code == 302
    assert export.status == ExportStatus.DENIED
    assert export_build(export=export).status == ExportStatus.DENIED
    again = client_for("admin", aracaju).post(
        f"{CITY_PAGE}exportacoes/{export.pk}/aprovar/", HTTP_HOST=ARACAJU
    )
    assert again.status_code == 400


def test_a_city_that_blocks_support_gets_no_support_export(aracaju):
    support_policy_set(municipality=aracaju, mode=AccessMode.BLOCKED, changed_by="admin@aracaju.se.gov.br")

    response = _ask(aracaju)

    assert response.status_code == 400
    assert "bloquearam o acesso do suporte" in response.content.decode()
    assert not ExportArchive.objects.filter(municipality=aracaju).exists()


def test_a_city_that_allows_support_gets_the_export_built_at_once(aracaju):
    support_policy_set(municipality=aracaju, mode=AccessMode.ALLOWED, changed_by="admin@aracaju.se.gov.br")

    _ask(aracaju)

    assert ExportArchive.objects.get(municipality=aracaju).status == ExportStatus.PENDING


def test_support_cannot_download_an_export_the_city_made_for_itself_and_downloads_are_audited(aracaju):
    own = export_sample(aracaju)
    ExportArchive.objects.filter(pk=own.pk).update(requested_by_support=False)
    consented = export_sample(aracaju)
    support = client_for("support", None)

    refused = support.get(f"/suporte/encerramentos/exportacoes/{own.pk}/baixar/")
    allowed = support.get(f"/suporte/encerramentos/exportacoes/{consented.pk}/baixar/")

    assert (refused.status_code, allowed.status_code) == (404, 200)
    assert (
        SupportActionLog.objects.filter(municipality=aracaju, action=SupportAction.EXPORT_DOWNLOAD).count()
        == 1
    )


def test_another_citys_admin_cannot_decide_aracajus_request(aracaju, gravatai):
    _ask(aracaju)
    export = ExportArchive.objects.get(municipality=aracaju)

    response = client_for("admin", gravatai).post(
        f"{CITY_PAGE}exportacoes/{export.pk}/aprovar/", HTTP_HOST="gravatai.localhost"
    )

    export.refresh_from_db()
    assert response.status_code == 400
    assert export.status == ExportStatus.AWAITING_CONSENT
