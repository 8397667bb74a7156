"""The pages: citizen booking on a phone-sized flow, the reception, the professional's day and the
patient's history (logged, shown to the citizen), the managers' figures, the FHIR export."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from tenant_apps.accounts.models import User
from tenant_apps.health.enums import KIND_FIRST
from tenant_apps.health.models import CheckIn, RecordAccess
from tenant_apps.scheduling.models import Appointment, SlotKind
from tests.conftest import GRAVATAI_HOST, _force_login
from tests.factories import AppointmentFactory

from .conftest import make_patient, patient


def login(user: User) -> Client:
    client = Client(HTTP_HOST=GRAVATAI_HOST)
    tenant = connection.tenant
    _force_login(client, user, GRAVATAI_HOST)  # leaves the connection in public
    connection.set_tenant(tenant)
    return client


def row(schedule, citizen, starts_at, status="agendado") -> Appointment:
    """An appointment row at any time (the pages read the real clock; the booking rules are tested
    in test_booking.py)."""
    return AppointmentFactory(
        agenda=schedule.agenda,
        resource=schedule.professional.resource,
        citizen=citizen,
        starts_at=starts_at,
        slot_kind=SlotKind.objects.get(agenda=schedule.agenda, code=KIND_FIRST),
        status=status,
    )


def soon() -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)


def test_home_asks_for_the_cns_then_lists_specialties(in_gravatai, other):
    user = User.objects.create_user(
        "nova@exemplo.com.br", "x", full_name="Nova", kind="citizen", cpf="98765432100"
    )
    client = login(user)
    page = client.get("/saude/").content.decode()
    assert "Seu Cartão Nacional de Saúde" in page
    response = client.post("/saude/cadastro/", {"cns": "898000000043209", "nascimento": "1990-01-01"})
    assert response.status_code == 400
    assert "Este número de CNS não é válido" in response.content.decode()
    response = client.post("/saude/cadastro/", {"cns": "7000 0000 0000 005", "nascimento": "1990-01-01"})
    assert response.status_code == 302
    assert patient(user).cns == "700000000000005"
    page = client.get("/saude/").content.decode()
    for name in ("Clínico geral", "Pediatria", "Ginecologia"):
        assert name in page


def test_specialty_page_lists_free_times_and_confirm_books(helena, other):
    client = login(other)
    page = client.get("/saude/clinico-geral/", {"profissional": helena.professional.pk})
    assert page.status_code == 200
    assert "Próxima abertura" in page.content.decode() or "Horários livres" in page.content.decode()
    bad = client.post("/saude/clinico-geral/confirmar/?agenda=999&inicio=2030-01-01T08:00:00-03:00", {})
    assert bad.status_code == 400
    assert "Escolha um dos horários livres." in bad.content.decode()
    assert not Appointment.objects.filter(citizen=other).exists()


def test_history_only_for_the_treating_professional_and_logged(helena, rodrigo, other):
    row(helena, other, soon())
    helena_client = login(helena.professional.user)
    rodrigo_client = login(rodrigo.professional.user)
    path = f"/staff/saude/pacientes/{patient(other).pk}/"
    # the treating professional: allowed, logged as an agenda access
    response = helena_client.get(path)
    assert response.status_code == 200
    access = RecordAccess.objects.get(patient=patient(other))
    assert (access.professional, access.is_emergency) == (helena.professional, False)
    # another professional: refused, nothing logged
    response = rodrigo_client.get(path)
    assert response.status_code == 403
    assert RecordAccess.objects.filter(patient=patient(other)).count() == 1
    short = rodrigo_client.post(path, {"motivo": "urgente"})
    assert short.status_code == 400
    assert RecordAccess.objects.filter(patient=patient(other)).count() == 1
    # with an emergency reason: allowed and logged with it
    response = rodrigo_client.post(path, {"motivo": "Paciente trazido desacordado ao pronto atendimento"})
    assert response.status_code == 200
    emergency = RecordAccess.objects.get(professional=rodrigo.professional)
    assert emergency.is_emergency is True
    # the citizen sees both accesses
    page = login(other).get("/saude/acessos/").content.decode()
    assert "Dra. Helena Prado" in page
    assert "Dr. Rodrigo Teixeira" in page
    assert "Paciente trazido desacordado" in page


def test_notes_reach_only_the_history(helena, other):
    appointment = row(helena, other, soon())
    client = login(helena.professional.user)
    response = client.post(
        f"/staff/saude/agenda/{appointment.code}/", {"acao": "encerrar", "anotacoes": "Nota clínica X9"}
    )
    # finishing before the room opens (10 minutes before) is refused clearly; start it by the clock
    if response.status_code == 400:
        Appointment.objects.filter(pk=appointment.pk).update(
            starts_at=timezone.now() - dt.timedelta(minutes=5),
            ends_at=timezone.now() + dt.timedelta(minutes=15),
        )
        response = client.post(
            f"/staff/saude/agenda/{appointment.code}/", {"acao": "encerrar", "anotacoes": "Nota clínica X9"}
        )
    assert response.status_code == 302
    assert "Nota clínica X9" in client.get(f"/staff/saude/pacientes/{patient(other).pk}/").content.decode()
    # the engine's generic staff pages do not list health appointments for the unit's other staff
    reception = User.objects.get(email="recepcao1@gravatai.rs.gov.br")
    assert login(reception).get(f"/staff/agenda/{appointment.code}/").status_code == 404


def test_reception_checks_in_and_the_day_shows_it(helena, other, reception):
    appointment = row(helena, other, soon())
    client = login(reception)
    day = timezone.localdate(appointment.starts_at).isoformat()
    page = client.get("/staff/saude/recepcao/", {"dia": day}).content.decode()
    assert other.full_name in page
    response = client.post(f"/staff/saude/recepcao/{appointment.code}/chegada/")
    assert response.status_code == 302
    assert CheckIn.objects.filter(appointment=appointment, checked_in_by=reception).exists()
    page = login(helena.professional.user).get("/staff/saude/agenda/", {"dia": day}).content.decode()
    assert "Chegou — aguardando" in page
    # a reception of another unit cannot
    other_reception = User.objects.get(email="recepcao2@gravatai.rs.gov.br")
    assert login(other_reception).post(f"/staff/saude/recepcao/{appointment.code}/falta/").status_code == 404


def test_day_page_queries_do_not_grow_with_patients(helena, in_gravatai):
    start = timezone.localtime(soon()).replace(hour=0, minute=5) + dt.timedelta(days=2)
    cpfs = ["15350946056", "86288366757", "98765432100", "12345678909"]
    people = [
        make_patient(f"p{index}@exemplo.com.br", cpf, seed=700 + index) for index, cpf in enumerate(cpfs)
    ]
    client = login(helena.professional.user)
    day = start.date().isoformat()
    row(helena, people[0], start)
    client.get("/staff/saude/agenda/", {"dia": day})
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/saude/agenda/", {"dia": day})
    for index, person in enumerate(people[1:], start=1):
        row(helena, person, start + dt.timedelta(minutes=20 * index))
    with CaptureQueriesContext(connection) as four:
        page = client.get("/staff/saude/agenda/", {"dia": day}).content.decode()
    assert all(person.full_name in page for person in people)
    assert len(four.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("kind", ["Location", "Practitioner", "Schedule", "Slot", "Appointment"])
def test_fhir_export_validates_for_the_health_manager(kind, helena, other):
    row(helena, other, soon())
    manager = User.objects.get(email="gestor.saude@gravatai.rs.gov.br")
    response = login(manager).get(f"/api/v1/health/fhir/{kind}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset"
    assert bundle.total == len(bundle.entry or [])
    assert bundle.total > 0
    assert {entry.resource.get_resource_type() for entry in bundle.entry} == {kind}
    assert "Nota" not in response.content.decode()


def test_fhir_refused_to_other_staff(helena):
    assert login(helena.professional.user).get("/api/v1/health/fhir/Appointment").status_code == 403
    admin = User.objects.get(email="admin@gravatai.rs.gov.br")
    assert login(admin).get("/api/v1/health/fhir/Appointment").status_code == 403


def test_figures_per_unit_and_specialty(helena, other):
    row(helena, other, soon())
    manager = User.objects.get(email="gestor.saude@gravatai.rs.gov.br")
    page = login(manager).get("/staff/saude/indicadores/").content.decode()
    assert "UBS Morada do Vale" in page
    assert "Ginecologia" in page


def test_admin_refuses_bad_cnes_and_cns_and_changes_nothing(in_gravatai):
    from tenant_apps.health.models import HealthUnit, Professional
    from tenant_apps.org.models import OrgUnit

    admin = login(User.objects.get(email="admin@gravatai.rs.gov.br"))
    units, professionals = HealthUnit.objects.count(), Professional.objects.count()
    response = admin.post(
        "/admin-municipal/saude/",
        {
            "formulario": "unidade",
            "unidade-nome": "UBS Nova",
            "unidade-cnes": "12345",
            "unidade-tipo": "ubs",
            "unidade-setor": OrgUnit.objects.get(acronym="SMS").pk,
        },
    )
    assert response.status_code == 400
    assert "O código CNES tem 7 dígitos." in response.content.decode()
    staff = User.objects.get(email="servidor@gravatai.rs.gov.br")
    response = admin.post(
        "/admin-municipal/saude/",
        {
            "formulario": "profissional",
            "profissional-servidor": staff.pk,
            "profissional-cns": "898000000043209",
            "profissional-cbo": "225125",
            "profissional-especialidades": [],
        },
    )
    assert response.status_code == 400
    assert "Este número de CNS não é válido" in response.content.decode()
    assert (HealthUnit.objects.count(), Professional.objects.count()) == (units, professionals)
    response = admin.post(
        "/admin-municipal/saude/",
        {
            "formulario": "unidade",
            "unidade-nome": "UBS Nova",
            "unidade-cnes": "7654321",
            "unidade-tipo": "ubs",
            "unidade-setor": OrgUnit.objects.get(acronym="SMS").pk,
        },
    )
    assert response.status_code == 302
    assert HealthUnit.objects.get(cnes="7654321").name == "UBS Nova"


def test_admin_schedule_window_and_blocked_day(helena):
    admin = login(User.objects.get(email="admin@gravatai.rs.gov.br"))
    path = f"/admin-municipal/saude/agendas/{helena.pk}/"
    assert admin.get(path).status_code == 200
    clash = admin.post(
        path,
        {
            "formulario": "janela",
            "janela-dias": ["0"],
            "janela-inicio": "09:00",
            "janela-fim": "12:00",
            "janela-tipo": "retorno",
        },
    )
    assert clash.status_code == 400
    assert "já atende" in clash.content.decode()
    response = admin.post(
        path, {"formulario": "bloqueio", "bloqueio-dia": "2030-03-12", "bloqueio-motivo": "Capacitação"}
    )
    assert response.status_code == 302
    assert helena.professional.resource.exceptions.filter(reason="Capacitação").count() == 1


def test_the_slot_page_filters_by_unit(in_gravatai, other):
    from tenant_apps.health.models import HealthUnit, Specialty
    from tenant_apps.health.selectors import free_slots

    from .conftest import NOW

    specialty = Specialty.objects.get(code="clinico-geral")
    units = list(HealthUnit.objects.filter(schedules__specialty=specialty).distinct().order_by("pk"))
    assert len(units) >= 2  # Gravataí's two UBS both have clínico geral
    everything = free_slots(specialty=specialty, patient=patient(other), now=NOW)
    by_unit = {
        unit.pk: free_slots(specialty=specialty, patient=patient(other), unit_id=unit.pk, now=NOW)
        for unit in units
    }
    for unit in units:
        assert by_unit[unit.pk]
        assert {item.schedule.unit_id for item in by_unit[unit.pk]} == {unit.pk}
    assert sorted(
        (item.starts_at, item.schedule.pk) for slots in by_unit.values() for item in slots
    ) == sorted((item.starts_at, item.schedule.pk) for item in everything)

    client = login(other)
    page = client.get("/saude/clinico-geral/", {"unidade": units[0].pk}).content.decode()
    assert "Unidade de saúde" in page
    assert f'<option value="{units[0].pk}" selected>' in page
    bad = client.get("/saude/clinico-geral/", {"unidade": 999999})
    assert bad.status_code == 200
    assert (
        "Faça uma escolha válida" in bad.content.decode()
        or "Selecione uma escolha válida" in bad.content.decode()
    )


def test_the_reception_lifts_a_no_show_suspension_with_a_reason(helena, other, reception):
    from django.core.exceptions import PermissionDenied

    from tenant_apps.health import services
    from tenant_apps.health.models import SuspensionLift
    from tenant_apps.health.policies import suspension_until

    now = timezone.now()
    for days in (3, 2):
        row(helena, other, now.replace(microsecond=0) - dt.timedelta(days=days), status="nao_compareceu")
    assert suspension_until(citizen=other, now=now) is not None
    client = login(reception)
    page = client.get("/staff/saude/recepcao/suspensoes/").content.decode()
    assert other.full_name in page
    assert patient(other).cns in page

    # bad input: a reason too short, a clear message and nothing saved
    short = client.post("/staff/saude/recepcao/suspensoes/", {"cidadao": other.pk, "motivo": "ok"})
    assert short.status_code == 400
    assert "Explique o motivo em pelo menos 10 caracteres." in short.content.decode()
    assert not SuspensionLift.objects.exists()

    reason = "Faltas por internação hospitalar, comprovada na recepção."
    done = client.post("/staff/saude/recepcao/suspensoes/", {"cidadao": other.pk, "motivo": reason})
    assert done.status_code == 302
    lift = SuspensionLift.objects.get()
    assert (lift.citizen_id, lift.lifted_by_id, lift.reason) == (other.pk, reception.pk, reason)
    assert suspension_until(citizen=other, now=timezone.now()) is None
    page = client.get("/staff/saude/recepcao/suspensoes/").content.decode()
    assert "Ninguém está suspenso agora." in page
    assert reason in page
    assert reception.full_name in page

    # nobody to lift any more; staff of another secretariat (not reception, not manager) cannot lift
    again = client.post("/staff/saude/recepcao/suspensoes/", {"cidadao": other.pk, "motivo": reason})
    assert again.status_code == 400
    assert "Este cidadão não está suspenso do agendamento pela internet." in again.content.decode()
    assert SuspensionLift.objects.count() == 1
    outsider = User.objects.get(email="servidor@gravatai.rs.gov.br")
    with pytest.raises(PermissionDenied):
        services.suspension_lift(citizen=other, actor=outsider, reason=reason)
    assert login(outsider).get("/staff/saude/recepcao/suspensoes/").status_code == 404


def test_the_reception_books_on_a_citizens_behalf_by_cpf_and_cns(helena, other, reception):
    import re

    from tenant_apps.scheduling.enums import AppointmentChannel

    now = timezone.now()
    for days in (3, 2):  # suspended online: the reception still books for them
        row(helena, other, now.replace(microsecond=0) - dt.timedelta(days=days), status="nao_compareceu")
    client = login(reception)
    url = "/staff/saude/recepcao/agendar/"
    specialty = helena.specialty.pk

    bad = client.get(url, {"cpf": "111.444.777-35", "cns": "898000000043209", "especialidade": specialty})
    assert bad.status_code == 400
    assert "Este número de CNS não é válido" in bad.content.decode()
    wrong = client.get(url, {"cpf": "390.533.447-05", "cns": patient(other).cns, "especialidade": specialty})
    assert wrong.status_code == 400
    assert "CPF e CNS não correspondem a um paciente cadastrado." in wrong.content.decode()

    page = client.get(url, {"cpf": "111.444.777-35", "cns": patient(other).cns, "especialidade": specialty})
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Horários livres para {other.full_name}" in body
    choices = re.findall(r'name="horario" value="([^"]+)"', body)
    assert choices, "the open week has free times at the reception's unit"
    before = Appointment.objects.filter(citizen=other, status="agendado").count()
    done = client.post(
        url,
        {"cpf": "11144477735", "cns": patient(other).cns, "especialidade": specialty, "horario": choices[0]},
    )
    assert done.status_code == 302
    booked = Appointment.objects.filter(citizen=other, status="agendado").order_by("-id").first()
    assert Appointment.objects.filter(citizen=other, status="agendado").count() == before + 1
    assert (booked.booked_by_id, booked.channel) == (reception.pk, AppointmentChannel.STAFF)

    # a time that is not on the list: a clear error, nothing booked
    again = client.post(
        url, {"cpf": "11144477735", "cns": patient(other).cns, "especialidade": specialty, "horario": "1|x|y"}
    )
    assert again.status_code == 400
    assert Appointment.objects.filter(citizen=other, status="agendado").count() == before + 1


def test_the_patients_appointments_are_paged_twenty_at_a_time(helena, other):
    # given 21 appointments, one a day from tomorrow
    first = soon() + dt.timedelta(days=1)
    codes = [row(helena, other, first + dt.timedelta(days=day)).code for day in range(21)]
    client = login(other)

    # when the patient opens the health home, then follows "Agendamentos anteriores"
    page = client.get("/saude/")
    older_link = page.context["next_cursor"]
    older = client.get("/saude/", {"cursor": older_link}).content.decode()

    # then the 20 latest are on the first page, the earliest alone on the next one
    assert [appointment.code for appointment in page.context["appointments"]] == codes[::-1][:20]
    assert "Agendamentos anteriores" in page.content.decode()
    assert f"/saude/consulta/{codes[0]}/" in older
    assert codes[1] not in older
    assert "Mais recentes" in older
    assert "Agendamentos anteriores" not in older
