import time

import pytest
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.cases.services import nup_digits
from tenant_apps.ombudsman import services
from tenant_apps.ombudsman.demo import DEMO_OMBUDSMAN
from tenant_apps.ombudsman.enums import IdentityMode, ManifestationKind
from tenant_apps.ombudsman.forms import filing_token
from tenant_apps.ombudsman.models import IdentityAccess, Manifestation
from tenant_apps.org.models import OrgUnit
from tests.conftest import ARACAJU_HOST, _force_login
from tests.factories import staff_in

SECRET_FILER = "Valdete Sigilosa Prado"


def _staff_client(aracaju, email: str) -> Client:
    client = Client(HTTP_HOST=ARACAJU_HOST)
    with tenant_context(aracaju):
        user = User.objects.get(email=email)
        TOTPDevice.objects.get_or_create(
            user=user, name="default", defaults={"confirmed": True, "key": demo.DEMO_TOTP_KEY_HEX}
        )
        _force_login(client, user, ARACAJU_HOST)
    return client


def _form(**overrides):
    data = {
        "kind": ManifestationKind.REPORT,
        "identity_mode": IdentityMode.ANONYMOUS,
        "subject": "Descarte irregular",
        "description": "Entulho jogado na praça.",
        "started": filing_token(time.time() - 30),
        "website": "",
    }
    data.update(overrides)
    return data


def _count(aracaju) -> int:
    with tenant_context(aracaju):
        return Manifestation.objects.count()


def test_an_anonymous_citizen_files_and_follows_with_the_code(aracaju):
    client = Client(HTTP_HOST=ARACAJU_HOST)
    assert client.get("/ouvidoria/nova/").status_code == 200

    response = client.post("/ouvidoria/nova/", _form())
    assert response.status_code == 302
    assert response["Location"] == "/ouvidoria/registrada/"
    page = client.get("/ouvidoria/registrada/")
    code = page.context["code"]
    nup = page.context["manifestation"].case.nup
    assert code in page.content.decode()
    assert client.get("/ouvidoria/registrada/").status_code == 302  # shown once

    stranger = Client(HTTP_HOST=ARACAJU_HOST)
    assert stranger.get(f"/ouvidoria/acompanhar/{nup_digits(nup=nup)}/").status_code == 404
    assert (
        stranger.post("/ouvidoria/acompanhar/", {"nup": nup, "code": "AAAA-BBBB-CCCC-DDDD"}).status_code
        == 404
    )
    response = stranger.post("/ouvidoria/acompanhar/", {"nup": nup, "code": code})
    assert response.status_code == 302
    detail = stranger.get(response["Location"])
    assert detail.status_code == 200
    assert "Entulho jogado na praça." in detail.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"website": "http://spam.example"}, "Não foi possível registrar"),
        ({"started": "agora"}, "rápido demais"),
        ({"started": "forjado"}, "expirou ou foi alterado"),
        ({"description": ""}, "Descreva a sua manifestação."),
        ({"identity_mode": IdentityMode.PROTECTED}, "Informe o seu nome."),
        ({"kind": ManifestationKind.INFORMATION_ACCESS}, "exige identificação"),
    ],
)
def test_spam_and_invalid_submissions_are_refused_and_save_nothing(aracaju, overrides, message):
    before = _count(aracaju)
    if overrides.get("started") == "agora":
        overrides = {"started": filing_token(time.time())}
    response = Client(HTTP_HOST=ARACAJU_HOST).post("/ouvidoria/nova/", _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _count(aracaju) == before


def test_submissions_are_rate_limited_per_address(aracaju):
    client = Client(HTTP_HOST=ARACAJU_HOST)
    for _ in range(5):
        assert client.post("/ouvidoria/nova/", _form()).status_code == 302
    before = _count(aracaju)
    response = client.post("/ouvidoria/nova/", _form())
    assert response.status_code == 429
    assert "Muitas manifestações enviadas deste endereço" in response.content.decode()
    assert _count(aracaju) == before
    other = Client(HTTP_HOST=ARACAJU_HOST, REMOTE_ADDR="10.0.0.9")
    assert other.post("/ouvidoria/nova/", _form()).status_code == 302


@pytest.fixture
def protected(aracaju):
    with tenant_context(aracaju):
        ombudsman = User.objects.get(email=DEMO_OMBUDSMAN["aracaju"]["email"])
        sema = OrgUnit.objects.get(acronym="SEMA")
        staff_in(sema, email="sema@aracaju.se.gov.br", full_name="Sandro Sema")
        staff_in(OrgUnit.objects.get(acronym="SEMFAS"), email="semfas@aracaju.se.gov.br", full_name="Sil")
        manifestation, code = services.manifestation_file(
            kind=ManifestationKind.REPORT,
            identity_mode=IdentityMode.PROTECTED,
            subject="Desvio de material",
            description="Material da obra levado à noite.",
            filer_name=SECRET_FILER,
            filer_email="valdete@exemplo.com.br",
        )
        services.manifestation_input_request(
            manifestation=manifestation, actor=ombudsman, unit=sema, question="?"
        )
    connection.set_schema_to_public()
    return manifestation, code


def test_identity_protection_per_role_and_access_log(aracaju, protected):
    manifestation, code = protected
    path = f"/staff/ouvidoria/{nup_digits(nup=manifestation.case.nup)}/"
    ombudsman = _staff_client(aracaju, DEMO_OMBUDSMAN["aracaju"]["email"])
    sema = _staff_client(aracaju, "sema@aracaju.se.gov.br")
    semfas = _staff_client(aracaju, "semfas@aracaju.se.gov.br")

    # the unit asked for input sees the pseudonym; an unrelated unit sees nothing
    page = sema.get(path).content.decode()
    assert manifestation.pseudonym in page
    assert SECRET_FILER not in page
    assert semfas.get(path).status_code == 404
    assert sema.post(path + "identidade/", {"reason": "curiosidade"}).status_code == 403
    # the ombudsman sees the pseudonym until a logged reveal with a reason
    assert SECRET_FILER not in ombudsman.get(path).content.decode()
    assert ombudsman.post(path + "identidade/", {"reason": ""}).status_code == 400
    with tenant_context(aracaju):
        assert IdentityAccess.objects.count() == 0
    revealed = ombudsman.post(path + "identidade/", {"reason": "Contato para vistoria"})
    assert revealed.status_code == 200
    assert SECRET_FILER in revealed.content.decode()
    with tenant_context(aracaju):
        access = IdentityAccess.objects.get()
        assert (access.user_name, access.reason) == ("Olívia Ouvidora", "Contato para vistoria")

    # the filer sees who accessed their data
    filer = Client(HTTP_HOST=ARACAJU_HOST)
    filer.post("/ouvidoria/acompanhar/", {"nup": manifestation.case.nup, "code": code})
    follow = filer.get(f"/ouvidoria/acompanhar/{nup_digits(nup=manifestation.case.nup)}/").content.decode()
    assert "Quem acessou meus dados" in follow
    assert "Olívia Ouvidora" in follow
    assert "Contato para vistoria" in follow


def test_the_unit_answers_and_the_ombudsman_closes_through_the_pages(aracaju, protected):
    manifestation, code = protected
    path = f"/staff/ouvidoria/{nup_digits(nup=manifestation.case.nup)}/"
    sema = _staff_client(aracaju, "sema@aracaju.se.gov.br")
    ombudsman = _staff_client(aracaju, DEMO_OMBUDSMAN["aracaju"]["email"])

    assert sema.post(path + "responder-unidade/", {"text": ""}).status_code == 400
    assert sema.post(path + "responder-unidade/", {"text": "Apuramos o caso."}).status_code == 302
    assert ombudsman.post(path + "prorrogar/", {"text": "Aguardando auditoria"}).status_code == 302
    assert ombudsman.post(path + "prorrogar/", {"text": "De novo"}).status_code == 400
    assert ombudsman.post(path + "concluir/", {"text": "Servidor afastado."}).status_code == 302

    filer = Client(HTTP_HOST=ARACAJU_HOST)
    filer.post("/ouvidoria/acompanhar/", {"nup": manifestation.case.nup, "code": code})
    follow = f"/ouvidoria/acompanhar/{nup_digits(nup=manifestation.case.nup)}/"
    page = filer.get(follow).content.decode()
    assert "Aguardando auditoria" in page
    assert "Servidor afastado." in page
    assert filer.post(follow + "avaliar/", {"is_resolved": "sim", "satisfaction": "5"}).status_code == 302
    with tenant_context(aracaju):
        stored = Manifestation.objects.get(pk=manifestation.pk)
        assert (stored.is_resolved, stored.satisfaction) == (True, 5)


def test_reports_html_and_csv_only_for_the_ombudsman_and_admins(aracaju, protected, login_as):
    ombudsman = _staff_client(aracaju, DEMO_OMBUDSMAN["aracaju"]["email"])
    page = ombudsman.get("/staff/ouvidoria/relatorios/")
    assert page.status_code == 200
    assert "Denúncia" in page.content.decode()
    csv_response = ombudsman.get("/staff/ouvidoria/relatorios.csv")
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("unidade,tipo,recebidas,respondidas,respondidas_no_prazo,atrasadas")
    assert "SEMA,Denúncia,1,0,0,0,,,0" in lines
    assert login_as("staff", aracaju).get("/staff/ouvidoria/relatorios.csv").status_code == 404
    assert login_as("admin", aracaju).get("/staff/ouvidoria/relatorios/").status_code == 200


def test_staff_registers_a_phone_manifestation(aracaju, login_as):
    client = login_as("staff", aracaju)
    response = client.post(
        "/staff/ouvidoria/nova/",
        _form(
            kind=ManifestationKind.COMPLAINT,
            identity_mode=IdentityMode.IDENTIFIED,
            filer_name="Pedro Telefone",
            filer_phone="79988887777",
            started="",
        ),
    )
    assert response.status_code == 302
    with tenant_context(aracaju):
        manifestation = Manifestation.objects.get(filer_name="Pedro Telefone")
        assert manifestation.case.channel == "balcao"
        assert manifestation.registered_by.email == "servidor@aracaju.se.gov.br"


def test_the_admin_configures_the_deadlines_and_the_services_use_them(aracaju, login_as):
    admin = login_as("admin", aracaju)
    with tenant_context(aracaju):
        cgm = OrgUnit.objects.get(acronym="CGM")
    page = admin.get("/staff/ouvidoria/configuracao/")
    assert page.status_code == 200
    data = {field: value for field, value in page.context["form"].initial.items() if value is not None}
    data.update({"ombudsman_unit": cgm.pk, "answer_days": 15, "answer_count": "uteis"})
    response = admin.post("/staff/ouvidoria/configuracao/", data)
    assert response.status_code == 302
    assert login_as("staff", aracaju).get("/staff/ouvidoria/configuracao/").status_code == 404

    with tenant_context(aracaju):
        from tenant_apps.ombudsman import deadlines
        from tenant_apps.ombudsman.models import OmbudsmanSettings

        assert OmbudsmanSettings.objects.count() == 1
        manifestation, _code = services.manifestation_file(
            kind=ManifestationKind.SUGGESTION,
            identity_mode=IdentityMode.ANONYMOUS,
            subject="Ciclovia",
            description="Uma ciclovia na orla.",
        )
        start = manifestation.case.opened_at
        from django.utils import timezone

        calendar_rule = deadlines.days_add(timezone.localdate(start), 15, "uteis")
        assert manifestation.case.deadline == calendar_rule


def test_guessing_codes_is_throttled(aracaju):
    client = Client(HTTP_HOST=ARACAJU_HOST)
    for _ in range(20):
        response = client.post("/ouvidoria/acompanhar/", {"nup": "10007.000001/2026-95", "code": "0000"})
        assert response.status_code in (404, 429)
    response = client.post("/ouvidoria/acompanhar/", {"nup": "10007.000001/2026-95", "code": "0000"})
    assert response.status_code == 429
    assert "Muitas tentativas com código errado" in response.content.decode()


def test_the_ombudsman_closes_with_an_advanced_signature_when_the_second_factor_code_is_typed(
    aracaju, protected
):
    from tenant_apps.signatures.models import Signature
    from tests.signatures.conftest import otp_now

    manifestation, _code = protected
    path = f"/staff/ouvidoria/{nup_digits(nup=manifestation.case.nup)}/"
    sema = _staff_client(aracaju, "sema@aracaju.se.gov.br")
    assert sema.post(path + "responder-unidade/", {"text": "Apuramos o caso."}).status_code == 302
    ombudsman = _staff_client(aracaju, DEMO_OMBUDSMAN["aracaju"]["email"])
    page = ombudsman.get(path).content.decode()
    assert 'name="otp_token"' in page
    assert "Código do segundo fator" in page

    wrong = ombudsman.post(path + "concluir/", {"text": "Servidor afastado.", "otp_token": "000000"})

    assert wrong.status_code == 400
    assert "código" in wrong.content.decode().lower()
    with tenant_context(aracaju):
        assert Manifestation.objects.get(pk=manifestation.pk).case.status != "concluido"
        officer = User.objects.get(email=DEMO_OMBUDSMAN["aracaju"]["email"])
        assert not Signature.objects.filter(signer=officer).exists()
        TOTPDevice.objects.filter(user=officer).update(last_t=-1)
        code = otp_now(officer)
    connection.set_schema_to_public()

    closed = ombudsman.post(path + "concluir/", {"text": "Servidor afastado.", "otp_token": code})

    assert closed.status_code == 302
    with tenant_context(aracaju):
        signature = Signature.objects.get(signer=officer)
        assert signature.level == "avancada"
        assert "Servidor afastado." in signature.version.body
