"""One slot, many connections at the same instant: the exclusion constraint lets exactly one book it."""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.scheduling.models import Agenda, Appointment, Resource
from tenant_apps.scheduling.services import appointment_book
from tenant_apps.scheduling.slots import slot_list_free
from tenants.models import Municipality

CLIENTS = 12


def test_many_connections_booking_one_slot_get_exactly_one_booking(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        gravatai = Municipality.objects.get(slug="gravatai")
        with tenant_context(gravatai):
            agenda = Agenda.objects.get(code="atendimento-por-video-com-fiscal")
            resource = Resource.objects.get(user__email="fiscal3@gravatai.rs.gov.br")
            subject = agenda.subjects.get(name="ITBI")
            citizens = [
                User.objects.create_user(
                    f"concorrente{index}@exemplo.com.br",
                    "x",
                    full_name=f"Concorrente {index}",
                    kind="citizen",
                )
                for index in range(CLIENTS)
            ]
            slot = slot_list_free(
                agenda=agenda,
                first_day=timezone.localdate() + dt.timedelta(days=3),
                resource_ids=[resource.pk],
            )[0]
            cases_before = Case.objects.count()
        barrier = threading.Barrier(CLIENTS)
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def book(citizen: User) -> None:
            try:
                with tenant_context(gravatai):
                    barrier.wait(timeout=30)
                    try:
                        appointment_book(
                            agenda=agenda,
                            citizen=citizen,
                            starts_at=slot.starts_at,
                            resource=resource,
                            subject=subject,
                        )
                        outcomes.append("booked")
                    except ApplicationError as error:
                        outcomes.append(error.message)
            except BaseException as error:  # noqa: BLE001 - reported on the test thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=book, args=(citizen,)) for citizen in citizens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        # (committed on purpose, like every concurrency test: the session's database is dropped at the end)
        with tenant_context(gravatai):
            held = list(Appointment.objects.filter(resource=resource, starts_at=slot.starts_at))
            cases_after = Case.objects.count()
        connection.set_schema_to_public()
    assert errors == []
    assert outcomes.count("booked") == 1
    assert len(held) == 1
    refused = [outcome for outcome in outcomes if outcome != "booked"]
    assert len(refused) == CLIENTS - 1
    assert set(refused) <= {
        "Este horário acabou de ser reservado por outra pessoa. Escolha outro horário.",
        "Este horário já foi reservado. Escolha outro horário.",
    }
    assert cases_after == cases_before + 1  # the losers opened no case either
