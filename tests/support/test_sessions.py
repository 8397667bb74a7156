import datetime as dt
import re

from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.support.models import SupportAccessPolicy, SupportAuditEntry, SupportSession
from tests.conftest import client_for
from tests.factories import SupportAccessPolicyFactory
from tests.support.conftest import (
    ADMIN_EMAIL,
    REASON,
    STAFF_EMAIL,
    approved_session,
    entered_client,
    handoff_path,
    session_request,
    support_client,
)


def _text(response) -> str:
    return response.content.decode()


def test_a_request_waits_for_the_admins_who_are_emailed(aracaju, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = session_request(support_client(), aracaju)

    assert response.status_code == 302
    session = SupportSession.objects.get(municipality=aracaju)
    assert (session.status, session.target_email, session.minutes, session.reason) == (
        "requested",
        STAFF_EMAIL,
        30,
        REASON,
    )
    assert session.support_email == "suporte@paco.localhost"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ADMIN_EMAIL]
    assert "Pedido de acesso do suporte" in mail.outbox[0].subject
    assert REASON in mail.outbox[0].body
    # not approved: no way in
    entering = support_client().post(f"/suporte/municipios/{aracaju.pk}/sessoes/{session.pk}/entrar/")
    assert entering.status_code == 400
    session.refresh_from_db()
    assert session.handoff_token_hash == ""


def test_allowed_policy_approves_at_once(aracaju):
    SupportAccessPolicyFactory(municipality=aracaju, mode="allowed")

    assert session_request(support_client(), aracaju).status_code == 302

    assert SupportSession.objects.get(municipality=aracaju).status == "approved"


def test_blocked_policy_refuses_with_a_clear_message(aracaju):
    SupportAccessPolicyFactory(municipality=aracaju, mode="blocked")

    response = session_request(support_client(), aracaju)

    assert response.status_code == 400
    assert "bloquearam o acesso do suporte" in _text(response)
    assert not SupportSession.objects.exists()


def test_the_request_is_validated(aracaju):
    support = support_client()
    short = session_request(support, aracaju, reason="curto demais")
    citizen = session_request(support, aracaju, target_email="cidadao@exemplo.com.br")
    too_long = session_request(support, aracaju, minutes=121)

    assert (short.status_code, citizen.status_code, too_long.status_code) == (400, 400, 400)
    assert "Não há servidor ativo com este e-mail" in _text(citizen)
    assert not SupportSession.objects.exists()


def test_the_admin_sets_the_policy(aracaju):
    admin = client_for("admin", aracaju)

    response = admin.post("/admin-municipal/suporte/politica/", {"mode": "blocked"})

    assert response.status_code == 302
    assert SupportAccessPolicy.objects.get(municipality=aracaju).mode == "blocked"


def test_the_admin_denies_a_request(aracaju):
    session_request(support_client(), aracaju)
    session = SupportSession.objects.get(municipality=aracaju)

    response = client_for("admin", aracaju).post(f"/admin-municipal/suporte/sessoes/{session.pk}/negar/")

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.decided_by) == ("denied", ADMIN_EMAIL)


def test_support_enters_once_and_sees_the_staff_pages_with_the_banner(
    aracaju, django_capture_on_commit_callbacks
):
    session = approved_session(aracaju)
    path = handoff_path(aracaju, session)
    browser = Client(HTTP_HOST="aracaju.localhost")

    with django_capture_on_commit_callbacks(execute=True):
        entered = browser.get(path)
    page = browser.get("/staff/")

    assert entered.status_code == 302
    assert page.status_code == 200
    assert "Sérgio Servidor" in _text(page)
    session.refresh_from_db()
    until = timezone.localtime(session.expires_at).strftime("%H:%M")
    assert f"Sessão de suporte: você vê o Paço como {STAFF_EMAIL} até {until} — somente leitura" in _text(
        page
    )
    assert session.status == "active"
    assert session.expires_at - session.started_at == dt.timedelta(minutes=30)
    assert [message.subject for message in mail.outbox] == ["O suporte do Paço entrou no sistema"]
    # the link works once
    again = Client(HTTP_HOST="aracaju.localhost").get(path)
    assert again.status_code == 404


def test_the_handoff_link_works_only_on_its_own_city(aracaju, gravatai):
    session = approved_session(aracaju)
    path = handoff_path(aracaju, session)

    elsewhere = Client(HTTP_HOST="gravatai.localhost").get(path)

    assert elsewhere.status_code == 404
    session.refresh_from_db()
    assert (session.status, session.handoff_used_at) == ("approved", None)
    assert Client(HTTP_HOST="gravatai.localhost").get("/staff/").status_code == 302
    assert Client(HTTP_HOST="aracaju.localhost").get(path).status_code == 302


def test_a_stale_handoff_link_is_refused(aracaju):
    session = approved_session(aracaju)
    path = handoff_path(aracaju, session)
    SupportSession.objects.filter(pk=session.pk).update(
        handoff_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert Client(HTTP_HOST="aracaju.localhost").get(path).status_code == 404
    session.refresh_from_db()
    assert session.status == "approved"


def test_a_target_without_a_second_factor_is_refused(aracaju):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = approved_session(aracaju)
    path = handoff_path(aracaju, session)
    with tenant_context(aracaju):
        TOTPDevice.objects.filter(user__email=STAFF_EMAIL).update(confirmed=False)

    response = Client(HTTP_HOST="aracaju.localhost").get(path)

    assert response.status_code == 404
    assert "verificação em duas etapas" in _text(response)
    session.refresh_from_db()
    assert session.status == "approved"


def test_a_session_cannot_write_and_nothing_changes(aracaju):
    browser, session = entered_client(aracaju, target_email=ADMIN_EMAIL)

    response = browser.post("/admin-municipal/suporte/politica/", {"mode": "allowed"})

    assert response.status_code == 403
    assert "somente leitura" in _text(response)
    assert not SupportAccessPolicy.objects.filter(municipality=aracaju).exists()
    # the admin's own POST works: it is the support session that is refused
    assert (
        client_for("admin", aracaju)
        .post("/admin-municipal/suporte/politica/", {"mode": "allowed"})
        .status_code
        == 302
    )


def test_every_request_of_a_session_is_audited(aracaju):
    browser, session = entered_client(aracaju)

    browser.get("/staff/")
    browser.get("/staff/protocolos/?aba=unidade")
    browser.post("/staff/protocolos/novo/poda-de-arvore/", {})
    browser.post("/suporte-paco/encerrar/")

    entries = list(
        SupportAuditEntry.objects.filter(session=session).values_list("method", "path", "status_code")
    )
    assert entries[0][0:2] == ("GET", handoff_path_prefix(entries[0][1]))
    assert entries[0][2] == 302
    assert entries[1:] == [
        ("GET", "/staff/", 200),
        ("GET", "/staff/protocolos/?aba=unidade", 200),
        ("POST", "/staff/protocolos/novo/poda-de-arvore/", 403),
        ("POST", "/suporte-paco/encerrar/", 200),
    ]
    session.refresh_from_db()
    assert (session.status, session.ended_by) == ("ended", "suporte@paco.localhost")
    assert browser.get("/staff/").status_code == 302  # logged out


def handoff_path_prefix(path: str) -> str:
    assert re.fullmatch(r"/suporte-paco/entrar/[\w-]+/", path), path
    return path


def test_the_session_ends_on_time(aracaju):
    browser, session = entered_client(aracaju)
    SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = browser.get("/staff/")

    assert response.status_code == 403
    assert "Sessão de suporte encerrada" in _text(response)
    session.refresh_from_db()
    assert session.status == "expired"
    assert browser.get("/staff/").status_code == 302  # logged out: to the staff login


def test_the_admin_ends_a_running_session(aracaju):
    browser, session = entered_client(aracaju)
    admin = client_for("admin", aracaju)
    assert "O suporte do Paço" in _text(admin.get("/admin-municipal/suporte/"))  # the staff banner

    response = admin.post(f"/admin-municipal/suporte/sessoes/{session.pk}/encerrar/")

    assert response.status_code == 302
    ended = browser.get("/staff/")
    assert ended.status_code == 403
    assert "Sessão de suporte encerrada" in _text(ended)
    session.refresh_from_db()
    assert (session.status, session.ended_by) == ("ended", ADMIN_EMAIL)
    assert "O suporte do Paço (" not in _text(admin.get("/admin-municipal/suporte/"))


def test_the_staff_see_a_banner_while_a_session_runs(aracaju, gravatai):
    entered_client(aracaju)

    staff_page = _text(client_for("staff", aracaju).get("/staff/"))
    other_city = _text(client_for("staff", gravatai).get("/staff/"))

    assert f"vendo o sistema como {STAFF_EMAIL}, somente leitura" in staff_page
    assert "O suporte do Paço (" not in other_city


def test_the_admin_reads_every_session_with_its_audit(aracaju):
    browser, session = entered_client(aracaju)
    browser.get("/staff/")
    admin = client_for("admin", aracaju)

    page = admin.get(f"/admin-municipal/suporte/sessoes/{session.pk}/")

    assert page.status_code == 200
    assert page.content.decode().count("<tr data-audit>") == 2  # the handoff and /staff/
    assert "<code>/staff/</code>" in page.content.decode()


def test_aracaju_admin_never_sees_gravatai_sessions(aracaju, gravatai):
    gravatai_session = approved_session(gravatai, target_email="servidor@gravatai.rs.gov.br")
    SupportSession.objects.filter(pk=gravatai_session.pk).update(status="requested")
    admin = client_for("admin", aracaju)

    listing = admin.get("/admin-municipal/suporte/")
    detail = admin.get(f"/admin-municipal/suporte/sessoes/{gravatai_session.pk}/")
    approve = admin.post(f"/admin-municipal/suporte/sessoes/{gravatai_session.pk}/aprovar/")
    end = admin.post(f"/admin-municipal/suporte/sessoes/{gravatai_session.pk}/encerrar/")

    assert listing.status_code == 200
    assert "servidor@gravatai.rs.gov.br" not in listing.content.decode()
    assert (detail.status_code, approve.status_code, end.status_code) == (404, 404, 404)
    gravatai_session.refresh_from_db()
    assert gravatai_session.status == "requested"


def test_other_staff_cannot_open_the_support_access_page(aracaju):
    response = client_for("staff", aracaju).get("/admin-municipal/suporte/")
    assert response.status_code == 404


def test_the_hourly_job_expires_sessions_past_their_time(aracaju):
    from shared_apps.support.services import support_sessions_expire

    _browser, session = entered_client(aracaju)
    running, _other = entered_client(aracaju)
    SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    assert support_sessions_expire() == 1
    assert support_sessions_expire() == 0

    session.refresh_from_db()
    assert (session.status, session.ended_at) == ("expired", session.expires_at)
    assert SupportSession.objects.get(pk=_other.pk).status == "active"


def test_support_can_leave_a_session_in_a_suspended_city(aracaju, django_capture_on_commit_callbacks):
    from tenants.services import municipality_set_status

    browser, session = entered_client(aracaju)
    with django_capture_on_commit_callbacks(execute=True):
        municipality_set_status(municipality=aracaju, status="suspended")

    assert client_for("citizen", aracaju).post("/servicos/poda-de-arvore/", {}).status_code == 403
    assert browser.get("/staff/").status_code == 200
    response = browser.post("/suporte-paco/encerrar/")

    assert response.status_code == 200
    assert "Sessão de suporte encerrada" in _text(response)
    session.refresh_from_db()
    assert session.status == "ended"
