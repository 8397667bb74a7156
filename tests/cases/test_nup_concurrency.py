"""NUP numbers stay unique and gapless when many connections open cases at the same moment."""

import threading

from django.db import connection
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.cases.enums import EventKind
from tenant_apps.cases.history import history_verify
from tenant_apps.cases.models import Case
from tenant_apps.cases.nup import nup_is_valid
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.services import service_ensure
from tenant_apps.org.services import org_unit_ensure
from tenants.models import Municipality

THREADS = 8
CASES_PER_THREAD = 5


def test_concurrent_openings_get_unique_gapless_numbers(django_db_setup, django_db_blocker):
    # given: committed data that every connection can see (this test runs outside a transaction)
    with django_db_blocker.unblock():
        aracaju = Municipality.objects.get(slug="aracaju")
        with tenant_context(aracaju):
            unit = org_unit_ensure(
                code="19999", acronym="CONC", name="Unidade de teste de concorrência", kind="setor"
            )
            service = service_ensure(
                code="teste-concorrencia", name="Teste de concorrência", unit=unit, is_public=True
            )
            citizen = User.objects.get(email="cidadao@exemplo.com.br")
            already = Case.objects.filter(current_unit=unit).count()
        barrier = threading.Barrier(THREADS)
        errors: list[BaseException] = []

        def open_cases() -> None:
            try:
                with tenant_context(aracaju):
                    barrier.wait(timeout=30)
                    for _ in range(CASES_PER_THREAD):
                        case_open(service=service, opened_by=citizen, form_data={})
            except BaseException as error:  # noqa: BLE001 - reported on the test thread
                errors.append(error)
            finally:
                connection.close()

        # when: eight connections open cases at once
        threads = [threading.Thread(target=open_cases) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        # then: every number from 1 to N exactly once, each with valid check digits
        with tenant_context(aracaju):
            nups = list(Case.objects.filter(current_unit=unit).values_list("nup", flat=True))
            opened = list(
                Case.objects.filter(current_unit=unit).order_by("-pk")[: THREADS * CASES_PER_THREAD]
            )
            complete = [
                case.case_documents.count() == 1
                and list(case.events.values_list("kind", flat=True)) == [EventKind.OPENED]
                and history_verify(case).is_valid
                for case in opened
            ]
    assert errors == []
    total = already + THREADS * CASES_PER_THREAD
    assert len(nups) == total
    assert len(set(nups)) == total
    assert sorted(int(nup[6:12]) for nup in nups) == list(range(1, total + 1))
    assert all(nup.startswith("19999.") and nup_is_valid(nup) for nup in nups)
    # and each case opened outside a transaction (number and row committed first, the rest after)
    # is complete: its request document and a valid one-entry history
    assert complete == [True] * (THREADS * CASES_PER_THREAD)
