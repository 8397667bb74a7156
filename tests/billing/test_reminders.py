"""The daily billing letters: dunning reminders while past due, and the trial-ending notice."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from shared_apps.billing.enums import SubscriptionStatus
from shared_apps.billing.services import billing_reminders_send, subscription_ensure
from shared_apps.billing.tasks import billing_reminders_task
from tenants.enums import MunicipalityStatus
from tenants.services import municipality_set_status

SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")
CONTACT = "financeiro@gravatai.rs.gov.br"


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, 0, tzinfo=SAO_PAULO)


@pytest.fixture
def past_due(gravatai):
    """Gravataí's payment failed on 1 December at 10:00."""
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.ACTIVE)
    subscription = subscription_ensure(municipality=gravatai, contact_email=CONTACT)
    subscription.stripe_customer_id = "cus_gravatai"
    subscription.stripe_subscription_id = "sub_gravatai"
    subscription.status = SubscriptionStatus.PAST_DUE
    subscription.past_due_since = _at(1, 10)
    subscription.save()
    return subscription


def test_a_past_due_city_is_reminded_on_the_dunning_days_only(past_due, settings):
    settings.BILLING_DUNNING_DAYS = [3, 7, 12]
    settings.BILLING_GRACE_DAYS = 15

    sent_per_day = {day: billing_reminders_send(now=_at(day))["dunning"] for day in range(1, 16)}

    assert [day for day, sent in sent_per_day.items() if sent] == [4, 8, 13]
    assert [message.to for message in mail.outbox] == [[CONTACT]] * 3
    assert mail.outbox[0].subject == (
        "Lembrete: pagamento em atraso da assinatura do Paço de Prefeitura Municipal de Gravataí"
    )
    assert "em atraso há 3 dias" in mail.outbox[0].body
    assert "Faltam 12 dias para o portal passar a funcionar somente para consulta" in mail.outbox[0].body
    assert "Faltam 3 dias" in mail.outbox[2].body
    assert "http://gravatai.localhost:8000/admin-municipal/assinatura/" in mail.outbox[0].body


def test_a_read_only_or_paid_city_gets_no_dunning_letter(past_due, gravatai):
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.READ_ONLY)
    assert billing_reminders_send(now=_at(4)) == {"dunning": 0, "trial": 0}
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.ACTIVE)
    past_due.status = SubscriptionStatus.ACTIVE
    past_due.save()
    assert billing_reminders_send(now=_at(4)) == {"dunning": 0, "trial": 0}
    assert mail.outbox == []


def test_a_trial_without_subscription_is_told_before_it_ends(gravatai, settings):
    settings.BILLING_TRIAL_NOTICE_DAYS = [7, 1]
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.TRIAL)
    subscription = subscription_ensure(municipality=gravatai, contact_email=CONTACT)
    subscription.trial_end = _at(20, 23)
    subscription.save()

    sent_per_day = {day: billing_reminders_send(now=_at(day))["trial"] for day in range(10, 21)}

    assert [day for day, sent in sent_per_day.items() if sent] == [13, 19]
    assert [message.subject for message in mail.outbox] == [
        "A avaliação do Paço de Prefeitura Municipal de Gravataí termina em 7 dia(s)",
        "A avaliação do Paço de Prefeitura Municipal de Gravataí termina em 1 dia(s)",
    ]
    assert "termina em 20/12/2026" in mail.outbox[0].body


def test_a_trial_with_a_subscription_gets_no_notice(gravatai):
    municipality_set_status(municipality=gravatai, status=MunicipalityStatus.TRIAL)
    subscription = subscription_ensure(municipality=gravatai, contact_email=CONTACT)
    subscription.stripe_subscription_id = "sub_gravatai"
    subscription.trial_end = _at(20, 23)
    subscription.save()

    assert billing_reminders_send(now=_at(13)) == {"dunning": 0, "trial": 0}


def test_the_job_runs_the_service(past_due, settings):
    past_due.past_due_since = timezone.now() - dt.timedelta(days=3)
    past_due.save()
    settings.BILLING_DUNNING_DAYS = [3]
    billing_reminders_task.fn(period="2026-12-01")
    assert len(mail.outbox) == 1
