"""From the confirmed e-mail to the live, branded city: provisioning, billing, idempotence."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists, tenant_context
from dramatiq.brokers.stub import StubBroker

from paco.errors import ApplicationError
from shared_apps.billing.models import Subscription
from shared_apps.onboarding.enums import SignupStatus
from shared_apps.onboarding.models import Signup
from shared_apps.onboarding.selectors import provisioning_step_names
from shared_apps.onboarding.services import signup_create, signup_provision, signup_verify
from tenant_apps.accounts.models import User
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenants.models import Domain, Municipality
from tests.comms.test_fanout_job import _in_thread as _committed

from .conftest import LAGARTO, lagarto_drop, provisioning_jobs_run, signup_kwargs

STEPS = ["row", "schema", "branding", "org_chart", "admin", "admin_invite", "signatures_ca", "billing"]
UNITS = [
    ("10001", "GP", "Gabinete do Prefeito", None),
    ("10002", "SEMAD", "Secretaria Municipal de Administração", None),
    ("10003", "SEMAD-PROT", "Protocolo Geral", "SEMAD"),
    ("10004", "SEFAZ", "Secretaria Municipal da Fazenda", None),
    ("10005", "SMS", "Secretaria Municipal de Saúde", None),
    ("10006", "SEMED", "Secretaria Municipal de Educação", None),
    ("10007", "SEMOSU", "Secretaria Municipal de Obras e Serviços Urbanos", None),
    ("10008", "CGM", "Controladoria-Geral do Município", None),
    ("10009", "CGM-OUV", "Ouvidoria-Geral do Município", "CGM"),
    ("10010", "PGM", "Procuradoria-Geral do Município", None),
]


def _verified(**overrides) -> Signup:
    signup, token = signup_create(**signup_kwargs(**overrides))
    signup_verify(token=token)  # the job is enqueued on commit, which never comes in these tests
    return signup


def _assert_the_city_is_live(signup: Signup) -> Municipality:
    assert signup.status == SignupStatus.READY
    municipality = Municipality.objects.get(ibge_code=LAGARTO)
    assert signup.municipality_id == municipality.pk
    assert (municipality.slug, municipality.schema_name, municipality.name, municipality.display_name) == (
        "lagarto",
        "lagarto",
        "Lagarto",
        "Prefeitura Municipal de Lagarto",
    )
    assert (municipality.state, municipality.status, municipality.time_zone, municipality.population) == (
        "SE",
        "trial",
        "America/Maceio",
        None,
    )
    assert (municipality.primary_color, municipality.secondary_color) == ("#1351b4", "#ffcd07")
    assert schema_exists("lagarto")
    assert list(Domain.objects.filter(tenant=municipality).values_list("domain", "is_primary")) == [
        ("lagarto.localhost", True)
    ]
    assert sorted(signup.step_seconds) == sorted(STEPS)  # jsonb keeps no key order
    assert provisioning_step_names() == STEPS
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in signup.step_seconds.values())
    with tenant_context(municipality):
        units = [
            (unit.code, unit.acronym, unit.name, unit.parent.acronym if unit.parent else None)
            for unit in OrgUnit.objects.select_related("parent").order_by("code")
        ]
        assert units == UNITS
        admin = User.objects.get(email="gabinete@lagarto.se.gov.br")
        assert (admin.full_name, admin.kind, admin.has_usable_password()) == (
            "Lúcia Prefeita Lagartense",
            "staff",
            False,
        )
        assert list(Membership.objects.filter(user=admin).values_list("unit__acronym", "role")) == [
            ("SEMAD", Role.ADMIN)
        ]
    connection.set_schema_to_public()
    subscription = Subscription.objects.get(municipality=municipality)
    assert (subscription.plan_code, subscription.contact_email, subscription.status) == (
        "medio",
        "gabinete@lagarto.se.gov.br",
        "trialing",
    )
    response = Client(HTTP_HOST="lagarto.localhost").get("/")
    assert response.status_code == 200
    assert "Prefeitura Municipal de Lagarto" in response.content.decode()
    return municipality


def test_provision_builds_the_branded_city_and_is_idempotent(db, no_stripe):
    signup = _verified()

    ready = signup_provision(signup_id=signup.pk)

    _assert_the_city_is_live(ready)
    assert (ready.error, ready.billing_error) == ("", "")
    assert ready.ready_at is not None

    # a second run (a retried message) changes nothing
    counts = (Municipality.objects.count(), Domain.objects.count(), Subscription.objects.count())
    again = signup_provision(signup_id=signup.pk)
    assert (again.updated_at, again.step_seconds) == (ready.updated_at, ready.step_seconds)
    assert (Municipality.objects.count(), Domain.objects.count(), Subscription.objects.count()) == counts


def test_an_unverified_signup_is_not_provisioned(db):
    signup, _token = signup_create(**signup_kwargs())

    with pytest.raises(ApplicationError) as error:
        signup_provision(signup_id=signup.pk)

    assert error.value.message == "O cadastro ainda não foi confirmado pelo e-mail."
    assert not Municipality.objects.filter(ibge_code=LAGARTO).exists()


def test_boleto_sends_exactly_the_customer_and_the_invoiced_subscription(db, stripe_server, settings):
    settings.BILLING_INVOICE_DAYS_UNTIL_DUE = 10
    signup = _verified(payment_method="boleto")

    ready = signup_provision(signup_id=signup.pk)

    municipality = _assert_the_city_is_live(ready)
    subscription = Subscription.objects.get(municipality=municipality)
    assert [(request.method, request.path) for request in stripe_server.requests] == [
        ("POST", "/v1/customers"),
        ("POST", "/v1/subscriptions"),
    ]
    customer, created = (request.params for request in stripe_server.requests)
    assert customer == {
        "name": "Prefeitura Municipal de Lagarto",
        "email": "gabinete@lagarto.se.gov.br",
        "metadata[municipality_id]": str(municipality.pk),
        "metadata[schema_name]": "lagarto",
        "metadata[ibge_code]": LAGARTO,
        "preferred_locales[0]": "pt-BR",
    }
    assert created["customer"] == "cus_test_1"
    assert created["items[0][price]"] == "price_medio_monthly"
    assert (created["collection_method"], created["days_until_due"]) == ("send_invoice", "10")
    assert created["payment_settings[payment_method_types][0]"] == "boleto"
    assert created["trial_end"] == str(int(subscription.trial_end.timestamp()))
    assert (subscription.stripe_subscription_id, subscription.collection_method) == ("sub_test_2", "boleto")
    assert ready.billing_error == ""

    # idempotent: a re-run sends nothing more
    signup_provision(signup_id=signup.pk)
    assert len(stripe_server.requests) == 2


def test_a_stripe_failure_keeps_the_city_live_and_records_the_billing_error(db, stripe_server):
    stripe_server.fail_next = {"type": "api_error", "message": "Stripe fora do ar"}
    signup = _verified(payment_method="boleto")

    ready = signup_provision(signup_id=signup.pk)

    _assert_the_city_is_live(ready)
    assert ready.billing_error.startswith(
        "O portal está no ar, mas não conseguimos registrar a cobrança por boleto ("
    )
    assert ready.billing_error.endswith("Conclua o pagamento na página de assinatura do portal.")
    assert Subscription.objects.get(municipality=ready.municipality).stripe_subscription_id == ""


def test_card_payment_sends_nothing_to_stripe_during_provisioning(db, stripe_server):
    signup = _verified(payment_method="card")

    ready = signup_provision(signup_id=signup.pk)

    _assert_the_city_is_live(ready)
    assert stripe_server.requests == []


def test_a_provisioning_failure_marks_the_signup_failed_and_re_raises(db, aracaju, no_stripe):
    signup = _verified()
    # someone else's city took the address after the signup was made
    Municipality.objects.filter(pk=aracaju.pk).update(slug="lagarto")

    with pytest.raises(ApplicationError):
        signup_provision(signup_id=signup.pk)

    signup.refresh_from_db()
    assert signup.status == SignupStatus.FAILED
    assert signup.error == "O identificador “lagarto” já pertence a outro município."
    assert not Municipality.objects.filter(ibge_code=LAGARTO).exists()
    assert not schema_exists("lagarto")


# --- end to end through a real worker --------------------------------------------------------------


@pytest.fixture
def committed_lagarto(django_db_blocker) -> Iterator[None]:
    """Requested before `db`: removes the committed city after the test's transaction is rolled back
    (the test's locks on the new schema's tables are gone by then)."""
    yield
    with django_db_blocker.unblock():
        lagarto_drop()
        with schema_context("public"):
            assert not schema_exists("lagarto")


def test_end_to_end_signup_verify_and_the_job_make_the_city_live(committed_lagarto, db, no_stripe):
    # given: a signup made and confirmed (committed, as through the web)
    signup, token = _committed(lambda: signup_create(**signup_kwargs()))
    _committed(lambda: signup_verify(token=token))

    # when: the worker runs the provisioning job
    provisioning_jobs_run(signup.pk, committed=_committed)

    # then
    signup.refresh_from_db()
    _assert_the_city_is_live(signup)


def _queued_provisioning_ids() -> list[str]:
    """The signup ids of provisioning messages waiting in the broker (in-process or Redis)."""
    from dramatiq import Message
    from dramatiq.brokers.redis import RedisBroker

    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        raw = list(broker.queues["default"].queue)
    elif isinstance(broker, RedisBroker):
        raw = list(broker.client.hvals(f"{broker.namespace}:default.msgs"))
    else:  # pragma: no cover - only the two brokers are configured
        raise AssertionError(type(broker))
    messages = [Message.decode(item) for item in raw]
    return [m.kwargs["signup_id"] for m in messages if m.actor_name == "onboarding_provision_task"]


def _queued_provisioning_forget(signup_id: str) -> None:
    from dramatiq import Message
    from dramatiq.brokers.redis import RedisBroker

    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        broker.flush("default")
    elif isinstance(broker, RedisBroker):
        key = f"{broker.namespace}:default.msgs"
        for message_id, item in broker.client.hgetall(key).items():
            if Message.decode(item).kwargs.get("signup_id") == signup_id:
                broker.client.hdel(key, message_id)
                broker.client.lrem(f"{broker.namespace}:default", 0, message_id)


def test_a_confirmed_signup_whose_job_was_lost_is_queued_again_by_the_sweep(db, settings):
    """The web process died between the confirmation's commit and the enqueue: the sweep queues the
    provisioning job again once the signup has waited ONBOARDING_STALLED_SWEEP_MINUTES; a signup not
    yet confirmed, or already provisioning, is left alone."""
    import datetime as dt

    from shared_apps.onboarding.services import signups_stalled_requeue

    settings.ONBOARDING_STALLED_SWEEP_MINUTES = 5
    signup = _verified()  # its job was enqueued "on commit", which never comes: the lost job
    signup.refresh_from_db()
    itabaiana = {"ibge_code": "2802908", "slug": "itabaiana", "admin_email": "gabinete@itabaiana.se.gov.br"}
    waiting, _token = signup_create(**signup_kwargs(**itabaiana))
    assert waiting.status == SignupStatus.PENDING_VERIFICATION
    assert str(signup.pk) not in _queued_provisioning_ids()

    try:
        assert signups_stalled_requeue(now=signup.verified_at + dt.timedelta(minutes=4)) == []
        assert signups_stalled_requeue(now=signup.verified_at + dt.timedelta(minutes=6)) == [str(signup.pk)]
        assert _queued_provisioning_ids().count(str(signup.pk)) == 1

        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.PROVISIONING)
        assert signups_stalled_requeue(now=signup.verified_at + dt.timedelta(minutes=60)) == []
    finally:
        _queued_provisioning_forget(str(signup.pk))
