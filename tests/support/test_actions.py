import datetime as dt

from django.core import mail
from django_tenants.utils import tenant_context

from shared_apps.billing.models import Subscription
from shared_apps.support.models import SupportActionLog
from tests.conftest import client_for
from tests.factories import SignupFactory, SubscriptionFactory
from tests.support.conftest import support_client

TRIAL_END = dt.datetime(2026, 12, 20, 15, 0, tzinfo=dt.UTC)


def _detail(municipality) -> str:
    return f"/suporte/municipios/{municipality.pk}/"


def _actions(municipality) -> list[tuple[str, str]]:
    return list(
        SupportActionLog.objects.filter(municipality=municipality)
        .order_by("id")
        .values_list("action", "support_email")
    )


def test_the_city_detail_shows_status_domains_and_actions(aracaju):
    response = support_client().get(_detail(aracaju))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<code>aracaju.localhost</code> (principal)" in page
    assert 'data-status="trial"' in page or 'data-status="active"' in page
    assert "Pedir sessão de suporte" in page


def test_an_unknown_city_is_a_404(db):
    assert support_client().get("/suporte/municipios/999999/").status_code == 404


def test_suspend_makes_the_city_refuse_writes_and_reactivate_restores_it(
    aracaju, django_capture_on_commit_callbacks
):
    SubscriptionFactory(
        municipality=aracaju, plan_code="grande", contact_email="admin@aracaju.se.gov.br", status="active"
    )
    support = support_client()
    citizen = client_for("citizen", aracaju)
    form = "/servicos/poda-de-arvore/"
    assert citizen.post(form, {}).status_code == 400  # a form with errors: writes accepted

    with django_capture_on_commit_callbacks(execute=True):  # the host -> city cache is refreshed
        suspended = support.post(f"{_detail(aracaju)}suspender/", {"reason": "Uso indevido reportado"})

    assert suspended.status_code == 302
    aracaju.refresh_from_db()
    assert aracaju.status == "suspended"
    assert citizen.post(form, {}).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        reactivated = support.post(f"{_detail(aracaju)}reativar/")

    assert reactivated.status_code == 302
    aracaju.refresh_from_db()
    assert aracaju.status == "active"  # what the active subscription implies
    assert citizen.post(form, {}).status_code == 400
    assert _actions(aracaju) == [
        ("suspend", "suporte@paco.localhost"),
        ("reactivate", "suporte@paco.localhost"),
    ]


def test_reactivate_without_a_subscription_is_trial(aracaju):
    Subscription.objects.filter(municipality=aracaju).delete()
    support = support_client()
    support.post(f"{_detail(aracaju)}suspender/", {"reason": "Pedido da prefeitura"})

    support.post(f"{_detail(aracaju)}reativar/")

    aracaju.refresh_from_db()
    assert aracaju.status == "trial"


def test_suspend_needs_a_reason_and_changes_nothing_without_it(aracaju):
    status = aracaju.status

    response = support_client().post(f"{_detail(aracaju)}suspender/", {"reason": ""})

    assert response.status_code == 400
    aracaju.refresh_from_db()
    assert aracaju.status == status
    assert _actions(aracaju) == []


def test_trial_extension_moves_the_trial_and_tells_stripe(aracaju, stripe_server):
    subscription = SubscriptionFactory(
        municipality=aracaju,
        plan_code="grande",
        contact_email="admin@aracaju.se.gov.br",
        status="trialing",
        trial_end=TRIAL_END,
        stripe_customer_id="cus_paco",
        stripe_subscription_id="sub_paco",
        request_sequence=0,
    )

    response = support_client().post(f"{_detail(aracaju)}avaliacao/", {"days": 10})

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.trial_end == TRIAL_END + dt.timedelta(days=10)
    [request] = stripe_server.requests
    assert (request.method, request.path) == ("POST", "/v1/subscriptions/sub_paco")
    assert request.params == {
        "trial_end": str(int((TRIAL_END + dt.timedelta(days=10)).timestamp())),
        "proration_behavior": "none",
    }
    assert request.headers["idempotency-key"] == f"paco-trial-{subscription.pk}-1"
    assert _actions(aracaju) == [("trial_extend", "suporte@paco.localhost")]


def test_trial_extension_without_stripe_only_moves_the_row(aracaju, stripe_server):
    subscription = SubscriptionFactory(
        municipality=aracaju,
        plan_code="grande",
        contact_email="a@b.gov.br",
        status="trialing",
        trial_end=TRIAL_END,
    )

    support_client().post(f"{_detail(aracaju)}avaliacao/", {"days": 60})

    subscription.refresh_from_db()
    assert subscription.trial_end == TRIAL_END + dt.timedelta(days=60)
    assert stripe_server.requests == []


def test_trial_extension_is_refused_out_of_bounds_or_outside_a_trial(aracaju, stripe_server):
    subscription = SubscriptionFactory(
        municipality=aracaju,
        plan_code="grande",
        contact_email="a@b.gov.br",
        status="active",
        trial_end=TRIAL_END,
    )
    support = support_client()

    too_many = support.post(f"{_detail(aracaju)}avaliacao/", {"days": 61})
    not_trial = support.post(f"{_detail(aracaju)}avaliacao/", {"days": 5})

    assert (too_many.status_code, not_trial.status_code) == (400, 400)
    assert "em avaliação" in not_trial.content.decode()
    subscription.refresh_from_db()
    assert subscription.trial_end == TRIAL_END
    assert stripe_server.requests == []
    assert _actions(aracaju) == []


def test_resend_invite_of_an_admin_who_never_chose_a_password(aracaju, django_capture_on_commit_callbacks):
    from tenant_apps.accounts.services import staff_invite
    from tenant_apps.org.models import OrgUnit

    with tenant_context(aracaju):
        staff_invite(
            invited_by=None,
            email="nova.admin@aracaju.se.gov.br",
            full_name="Nova Administradora",
            unit=OrgUnit.objects.get(acronym="SEPLOG"),
            role="admin",
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client().post(f"{_detail(aracaju)}convite/")

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["nova.admin@aracaju.se.gov.br"]]
    assert _actions(aracaju) == [("invite_resend", "suporte@paco.localhost")]


def test_resend_invite_without_a_pending_invitation_is_a_clear_error(aracaju):
    response = support_client().post(f"{_detail(aracaju)}convite/")

    assert response.status_code == 400
    assert "Não há convite pendente" in response.content.decode()
    assert _actions(aracaju) == []


def test_resend_invite_of_a_signup_waiting_for_its_email(aracaju, django_capture_on_commit_callbacks):
    signup = SignupFactory(
        ibge_code=aracaju.ibge_code, slug="aracaju-novo", admin_email="ana@aracaju.se.gov.br"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client().post(f"{_detail(aracaju)}convite/")

    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.verification_token_hash != "0" * 64
    assert [message.to for message in mail.outbox] == [["ana@aracaju.se.gov.br"]]


def test_city_users_cannot_act_on_the_control_plane(aracaju):
    for role in ("citizen", "staff", "admin"):
        client = client_for(role, aracaju)
        response = client.post(
            f"{_detail(aracaju)}suspender/", {"reason": "Tentativa"}, HTTP_HOST="localhost"
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/suporte/entrar/")
    aracaju.refresh_from_db()
    assert aracaju.status != "suspended"
    assert _actions(aracaju) == []
