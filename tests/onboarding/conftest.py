from __future__ import annotations

from typing import Any

import dramatiq
import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker

from paco.jobs import jobs_drain
from tests.billing.conftest import _stripe_server, stripe_server  # noqa: F401

LAGARTO = "2803500"
VALID_CPF = "529.982.247-25"


def signup_kwargs(**overrides: Any) -> dict[str, Any]:
    """A valid signup of Lagarto/SE."""
    return {
        "ibge_code": LAGARTO,
        "slug": "lagarto",
        "admin_full_name": "Lúcia Prefeita Lagartense",
        "admin_cpf": VALID_CPF,
        "admin_email": "Gabinete@Lagarto.SE.gov.br",
        "plan_code": "medio",
        "payment_method": "boleto",
        **overrides,
    }


def signup_form_data(**overrides: Any) -> dict[str, Any]:
    return {"uf": "SE", "website": "", **signup_kwargs(), **overrides}


@pytest.fixture
def no_stripe(settings: Any) -> None:
    settings.STRIPE_API_KEY = ""


def lagarto_drop() -> None:
    """Remove a committed Lagarto (rows, schema, coat of arms): for tests that go through a real worker."""
    from shared_apps.billing.models import Subscription
    from shared_apps.onboarding.models import Signup
    from tenants.models import Domain, Municipality

    municipality = Municipality.objects.filter(slug="lagarto").first()
    if municipality is not None and municipality.coat_of_arms:
        with tenant_context(municipality):
            if default_storage.exists(municipality.coat_of_arms):
                default_storage.delete(municipality.coat_of_arms)
    connection.set_schema_to_public()
    with transaction.atomic():
        Signup.objects.filter(ibge_code=LAGARTO).delete()
        Subscription.objects.filter(municipality__slug="lagarto").delete()
        Domain.objects.filter(tenant__slug="lagarto").delete()
        Municipality.objects.filter(slug="lagarto").delete()
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "lagarto" CASCADE')


def provisioning_jobs_run(signup_id: Any, *, committed: Any) -> None:
    """Run the queued provisioning job as a worker would: drain the in-process broker, or, with the
    Redis broker (CI), run the job's body on a connection of its own (`committed`), since no worker
    process consumes the test namespace here."""
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        jobs_drain(broker)
        return
    from shared_apps.onboarding.services import signup_provision

    committed(lambda: signup_provision(signup_id=str(signup_id)))
