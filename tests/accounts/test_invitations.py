"""Staff invitations: the admin invites, the person chooses a password through the e-mailed link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from paco.tokens import token_hash
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import StaffInvitation, User
from tenant_apps.accounts.provisioning import municipal_admin_invite
from tenant_apps.accounts.services import (
    admin_invitation_resend,
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    staff_invite,
)
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenants.services import AdminSpec, MunicipalitySpec, OrgUnitSpec, municipality_provision
from tests.conftest import client_for

HOST = "aracaju.localhost"
TEAM = "/admin-municipal/equipe/"
PASSWORD = "Convite#Seguro2026"  # noqa: S105 - test credentials
LINK = re.compile(r"http://aracaju\.localhost:8000(/convite/([A-Za-z0-9_-]+)/)")


def _link(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match is not None, message.body
    return match.group(1), match.group(2)


def _invite(email: str = "nova.servidora@aracaju.se.gov.br", role: str = Role.STAFF):
    return staff_invite(
        invited_by=User.objects.get(email="admin@aracaju.se.gov.br"),
        email=email,
        full_name="Nova Servidora",
        unit=OrgUnit.objects.get(acronym="SEFAZ"),
        role=role,
    )


def _invitation_rows(email: str) -> list[tuple[bool, bool]]:
    """(accepted, revoked) of each invitation of the person, oldest first."""
    return [
        (row.accepted_at is not None, row.revoked_at is not None)
        for row in StaffInvitation.objects.filter(user__email=email).order_by("created_at", "pk")
    ]


def test_invite_accept_and_first_login_with_totp_enrolment(aracaju, django_capture_on_commit_callbacks):
    # given: the admin fills the invite form
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        sefaz = OrgUnit.objects.get(acronym="SEFAZ").pk

    # when
    with django_capture_on_commit_callbacks(execute=True):
        invited = admin.post(
            TEAM,
            {
                "full_name": "Nova Servidora",
                "email": "Nova.Servidora@aracaju.se.gov.br",
                "unit": sefaz,
                "role": "staff",
            },
            HTTP_HOST=HOST,
        )

    # then: the account has no password yet, a lotação, a pending invitation and an e-mail
    assert invited.status_code == 302
    assert invited["Location"] == TEAM
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nova.servidora@aracaju.se.gov.br"]
    assert message.subject == "Convite para a área dos servidores — Prefeitura Municipal de Aracaju"
    assert "válido por 7 dias" in message.body
    path, token = _link(message)
    with tenant_context(aracaju):
        person = User.objects.get(email="nova.servidora@aracaju.se.gov.br")
        assert (person.kind, person.full_name, person.has_usable_password()) == (
            UserKind.STAFF,
            "Nova Servidora",
            False,
        )
        assert list(Membership.objects.filter(user=person).values_list("unit__acronym", "role")) == [
            ("SEFAZ", "staff")
        ]
        invitation = StaffInvitation.objects.get(user=person)
        assert invitation.token_hash == token_hash(token)
        assert token not in invitation.token_hash
        assert invitation.invited_by.email == "admin@aracaju.se.gov.br"
        assert round((invitation.expires_at - invitation.created_at).total_seconds()) == 7 * 24 * 60 * 60
    team = admin.get(TEAM, HTTP_HOST=HOST).content.decode()
    assert "Nova Servidora" in team
    assert "Convite pendente" in team

    # when: the person opens the link and chooses a password
    visitor = Client(HTTP_HOST=HOST)
    page = visitor.get(path)
    mismatch = visitor.post(path, {"password": PASSWORD, "password_confirmation": PASSWORD + "x"})
    weak = visitor.post(path, {"password": "1234567890", "password_confirmation": "1234567890"})
    accepted = visitor.post(path, {"password": PASSWORD, "password_confirmation": PASSWORD}, follow=True)

    # then
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nova Servidora" in body
    assert "nova.servidora@aracaju.se.gov.br" in body
    assert "Prefeitura Municipal de Aracaju" in body
    assert page["Referrer-Policy"] == "same-origin"  # no Referer to other sites; Origin kept for CSRF
    assert mismatch.status_code == 400
    assert "As senhas não conferem." in mismatch.content.decode()
    assert weak.status_code == 400
    assert "Esta senha é inteiramente numérica." in weak.content.decode()
    assert accepted.redirect_chain == [("/staff/entrar/", 302)]
    assert "no primeiro acesso você vai ativar a verificação em duas etapas" in accepted.content.decode()
    with tenant_context(aracaju):
        assert User.objects.get(email="nova.servidora@aracaju.se.gov.br").check_password(PASSWORD)
        assert _invitation_rows("nova.servidora@aracaju.se.gov.br") == [(True, False)]
    team = admin.get(TEAM, HTTP_HOST=HOST).content.decode()
    assert "Com acesso" in team

    # when: the person logs in with the new password
    login = Client(HTTP_HOST=HOST)
    first = login.post("/staff/entrar/", {"email": "nova.servidora@aracaju.se.gov.br", "password": PASSWORD})
    enrol = login.get("/staff/entrar/ativar/")

    # then: the second factor is set up at this first login
    assert first.status_code == 302
    assert first["Location"] == "/staff/entrar/ativar/"
    assert enrol.status_code == 200
    assert "<svg" in enrol.content.decode()


def test_an_expired_invitation_is_refused_and_changes_nothing(in_aracaju):
    invitation, token = _invite()
    StaffInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    client = Client(HTTP_HOST=HOST)

    page = client.get(f"/convite/{token}/")
    response = client.post(f"/convite/{token}/", {"password": PASSWORD, "password_confirmation": PASSWORD})

    assert page.status_code == 410
    assert (
        "Este convite expirou. Peça um novo convite ao administrador da prefeitura." in page.content.decode()
    )
    assert "nova.servidora@aracaju.se.gov.br" not in page.content.decode()
    assert response.status_code == 410
    person = User.objects.get(email="nova.servidora@aracaju.se.gov.br")
    assert person.password.startswith(UNUSABLE_PASSWORD_PREFIX)
    assert _invitation_rows(person.email) == [(False, False)]
    with pytest.raises(ApplicationError) as refused:
        invitation_accept(raw_token=token, password=PASSWORD)
    assert (
        refused.value.message == "Este convite expirou. Peça um novo convite ao administrador da prefeitura."
    )


def test_a_used_invitation_cannot_be_used_again(in_aracaju):
    _invitation, token = _invite()
    invitation_accept(raw_token=token, password=PASSWORD)

    response = Client(HTTP_HOST=HOST).post(
        f"/convite/{token}/", {"password": "Outra#Senha2026", "password_confirmation": "Outra#Senha2026"}
    )

    assert response.status_code == 410
    assert "Este convite já foi usado." in response.content.decode()
    person = User.objects.get(email="nova.servidora@aracaju.se.gov.br")
    assert person.check_password(PASSWORD)
    assert _invitation_rows(person.email) == [(True, False)]


def test_an_unknown_token_is_a_404(in_aracaju):
    response = Client(HTTP_HOST=HOST).get("/convite/nao-existe/")

    assert response.status_code == 404
    assert "Convite não encontrado." in response.content.decode()


def test_the_admin_revokes_an_invitation(aracaju):
    with tenant_context(aracaju):
        invitation, token = _invite()
    admin = client_for("admin", aracaju)

    revoked = admin.post(f"{TEAM}convites/{invitation.pk}/revogar/", HTTP_HOST=HOST, follow=True)
    again = admin.post(f"{TEAM}convites/{invitation.pk}/revogar/", HTTP_HOST=HOST, follow=True)
    page = Client(HTTP_HOST=HOST).get(f"/convite/{token}/")

    assert revoked.redirect_chain == [(TEAM, 302)]
    assert "Convite de nova.servidora@aracaju.se.gov.br cancelado." in revoked.content.decode()
    assert "Convite cancelado" in revoked.content.decode()
    assert "Este convite já estava cancelado." in again.content.decode()
    assert page.status_code == 410
    assert "Este convite foi cancelado." in page.content.decode()
    with tenant_context(aracaju):
        assert _invitation_rows("nova.servidora@aracaju.se.gov.br") == [(False, True)]


def test_resending_invalidates_the_old_link(aracaju, django_capture_on_commit_callbacks):
    with tenant_context(aracaju), django_capture_on_commit_callbacks(execute=True):
        invitation, old_token = _invite()
    admin = client_for("admin", aracaju)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{TEAM}convites/{invitation.pk}/reenviar/", HTTP_HOST=HOST, follow=True)

    assert response.redirect_chain == [(TEAM, 302)]
    assert "Novo convite enviado para nova.servidora@aracaju.se.gov.br" in response.content.decode()
    assert len(mail.outbox) == 2
    new_path, new_token = _link(mail.outbox[1])
    assert new_token != old_token
    visitor = Client(HTTP_HOST=HOST)
    assert visitor.get(f"/convite/{old_token}/").status_code == 410
    assert visitor.get(new_path).status_code == 200
    with tenant_context(aracaju):
        assert _invitation_rows("nova.servidora@aracaju.se.gov.br") == [(False, True), (False, False)]
        with pytest.raises(ApplicationError):
            invitation_accept(raw_token=old_token, password=PASSWORD)
        assert invitation_accept(raw_token=new_token, password=PASSWORD).check_password(PASSWORD)
        with pytest.raises(ApplicationError) as refused:
            invitation_resend(
                invitation=StaffInvitation.objects.get(token_hash=token_hash(new_token)), by=None
            )
        assert refused.value.message == "Este convite já foi aceito: a pessoa já tem acesso."


def test_inviting_again_someone_without_a_password_sends_a_fresh_link(in_aracaju):
    _first, old_token = _invite()

    _second, new_token = _invite(role=Role.MANAGER)

    assert new_token != old_token
    assert _invitation_rows("nova.servidora@aracaju.se.gov.br") == [(False, True), (False, False)]
    assert sorted(
        Membership.objects.filter(user__email="nova.servidora@aracaju.se.gov.br").values_list(
            "role", flat=True
        )
    ) == ["manager", "staff"]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (
            "cidadao@exemplo.com.br",
            "O e-mail cidadao@exemplo.com.br pertence a uma conta de cidadão"
            " e não pode ser convidado como servidor.",
        ),
        ("servidor@aracaju.se.gov.br", "servidor@aracaju.se.gov.br já tem acesso à área dos servidores."),
    ],
)
def test_citizens_and_staff_with_a_password_are_refused(aracaju, email, message):
    admin = client_for("admin", aracaju)
    with tenant_context(aracaju):
        sefaz = OrgUnit.objects.get(acronym="SEFAZ").pk
        memberships = sorted(Membership.objects.values_list("user__email", "unit__acronym", "role"))

    response = admin.post(
        TEAM, {"full_name": "Alguém", "email": email, "unit": sefaz, "role": "admin"}, HTTP_HOST=HOST
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(mail.outbox) == 0
    with tenant_context(aracaju):
        assert StaffInvitation.objects.count() == 0
        assert sorted(Membership.objects.values_list("user__email", "unit__acronym", "role")) == memberships


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_other_staff_cannot_invite(aracaju, role):
    client = client_for(role, aracaju)
    with tenant_context(aracaju):
        sefaz = OrgUnit.objects.get(acronym="SEFAZ").pk
        invitation, _token = _invite()

    page = client.get(TEAM, HTTP_HOST=HOST)
    response = client.post(
        TEAM,
        {"full_name": "Intrusa", "email": "intrusa@aracaju.se.gov.br", "unit": sefaz, "role": "admin"},
        HTTP_HOST=HOST,
    )
    revoke = client.post(f"{TEAM}convites/{invitation.pk}/revogar/", HTTP_HOST=HOST)

    assert (page.status_code, response.status_code, revoke.status_code) == (404, 404, 404)
    with tenant_context(aracaju):
        assert not User.objects.filter(email="intrusa@aracaju.se.gov.br").exists()
        assert _invitation_rows("nova.servidora@aracaju.se.gov.br") == [(False, False)]


def test_an_invitation_of_another_city_is_a_404(aracaju, gravatai):
    with tenant_context(gravatai):
        invitation, _token = staff_invite(
            invited_by=None,
            email="nova@gravatai.rs.gov.br",
            full_name="Nova de Gravataí",
            unit=OrgUnit.objects.get(acronym="SMF"),
            role=Role.STAFF,
        )
    with tenant_context(aracaju):
        assert not StaffInvitation.objects.filter(pk=invitation.pk).exists()

    response = client_for("admin", aracaju).post(f"{TEAM}convites/{invitation.pk}/revogar/", HTTP_HOST=HOST)

    assert response.status_code == 404
    with tenant_context(gravatai):
        assert _invitation_rows("nova@gravatai.rs.gov.br") == [(False, False)]


ITABAIANA = MunicipalitySpec(
    slug="itabaiana",
    name="Itabaiana",
    display_name="Prefeitura Municipal de Itabaiana",
    ibge_code="2803302",
    state="SE",
    primary_color="#00539b",
    secondary_color="#ffd200",
    org_chart=(OrgUnitSpec("40001", "SEAD", "Secretaria de Administração", "secretaria"),),
    admin=AdminSpec("prefeita@itabaiana.se.gov.br", "Ivone Prefeita"),
)


def test_a_self_onboarded_city_sends_exactly_one_invitation(db, django_capture_on_commit_callbacks):
    # when: provisioned twice (idempotent), the admin without a password
    with django_capture_on_commit_callbacks(execute=True):
        municipality = municipality_provision(spec=ITABAIANA)
    with django_capture_on_commit_callbacks(execute=True):
        municipality_provision(spec=ITABAIANA)

    # then
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["prefeita@itabaiana.se.gov.br"]
    assert mail.outbox[0].subject == "Convite para a área dos servidores — Prefeitura Municipal de Itabaiana"
    path, token = re.search(
        r"http://itabaiana\.localhost:8000(/convite/([A-Za-z0-9_-]+)/)", mail.outbox[0].body
    ).groups()
    with tenant_context(municipality):
        assert _invitation_rows("prefeita@itabaiana.se.gov.br") == [(False, False)]
        assert list(Membership.objects.values_list("user__email", "role")) == [
            ("prefeita@itabaiana.se.gov.br", "admin")
        ]
    page = Client(HTTP_HOST="itabaiana.localhost").get(path)
    assert page.status_code == 200
    assert "Ivone Prefeita" in page.content.decode()

    # when: vendor support resends it
    with tenant_context(municipality), django_capture_on_commit_callbacks(execute=True):
        sent = admin_invitation_resend()

    # then: a new link, the old one no longer works
    assert sent is True
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["prefeita@itabaiana.se.gov.br"]
    with tenant_context(municipality):
        assert _invitation_rows("prefeita@itabaiana.se.gov.br") == [(False, True), (False, False)]
        with pytest.raises(ApplicationError):
            invitation_accept(raw_token=token, password=PASSWORD)

        # once the admin chose a password, there is nothing to resend
        _path, new_token = _link_of(mail.outbox[1].body, "itabaiana")
        invitation_accept(raw_token=new_token, password=PASSWORD)
        assert admin_invitation_resend() is False
    assert len(mail.outbox) == 2


def _link_of(body: str, slug: str) -> tuple[str, str]:
    match = re.search(rf"http://{slug}\.localhost:8000(/convite/([A-Za-z0-9_-]+)/)", body)
    assert match is not None
    return match.group(1), match.group(2)


def test_a_city_provisioned_with_a_password_gets_no_invitation(db, django_capture_on_commit_callbacks):
    spec = MunicipalitySpec(
        **{
            **ITABAIANA.__dict__,
            "admin": AdminSpec("prefeita@itabaiana.se.gov.br", "Ivone Prefeita", PASSWORD),
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        municipality = municipality_provision(spec=spec)

    assert len(mail.outbox) == 0
    with tenant_context(municipality):
        assert StaffInvitation.objects.count() == 0
        assert User.objects.get(email="prefeita@itabaiana.se.gov.br").check_password(PASSWORD)


def test_the_demo_cities_have_no_invitations_and_nothing_to_resend(aracaju, gravatai):
    for municipality in (aracaju, gravatai):
        with tenant_context(municipality):
            assert StaffInvitation.objects.count() == 0
            assert admin_invitation_resend() is False
    assert len(mail.outbox) == 0


def test_the_provisioning_step_does_not_double_a_pending_invitation(in_aracaju):
    admin = User.objects.get(email="admin@aracaju.se.gov.br")
    admin.set_unusable_password()
    admin.save(update_fields=["password"])
    spec = MunicipalitySpec(**{**ITABAIANA.__dict__, "admin": AdminSpec("admin@aracaju.se.gov.br", "Ana")})

    first = municipal_admin_invite(municipality=in_aracaju, spec=spec)
    second = municipal_admin_invite(municipality=in_aracaju, spec=spec)

    assert first is not None
    assert second is None
    assert _invitation_rows("admin@aracaju.se.gov.br") == [(False, False)]


def test_a_revoked_invitation_cannot_be_revoked_or_accepted(in_aracaju):
    invitation, token = _invite()
    invitation_revoke(invitation=invitation, by=None)

    with pytest.raises(ApplicationError) as revoke_again:
        invitation_revoke(invitation=invitation, by=None)
    with pytest.raises(ApplicationError) as accept:
        invitation_accept(raw_token=token, password=PASSWORD)

    assert revoke_again.value.message == "Este convite já estava cancelado."
    assert accept.value.message == (
        "Este convite foi cancelado. Peça um novo convite ao administrador da prefeitura."
    )
    assert User.objects.get(email="nova.servidora@aracaju.se.gov.br").has_usable_password() is False


def _team_queries(client: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(TEAM, HTTP_HOST=HOST)
    assert response.status_code == 200
    return len(queries)


def test_the_team_page_queries_do_not_grow_with_the_staff(aracaju):
    admin = client_for("admin", aracaju)
    _team_queries(admin)  # the host lookup is cached from now on
    before = _team_queries(admin)
    with tenant_context(aracaju):
        for number in range(3):
            _invite(email=f"pessoa{number}@aracaju.se.gov.br")

    after = _team_queries(admin)

    assert after == before
    body = admin.get(TEAM, HTTP_HOST=HOST).content.decode()
    assert body.count("Convite pendente") == 3
    assert "SEFAZ (Servidor)" in body
    assert "SEPLOG (Administrador municipal)" in body
