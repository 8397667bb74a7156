"""Demo data of privacy (`paco_demo.seeding`): each city's privacy notice and encarregado (routed
to the city's root unit), and the demo citizen's recorded choices (e-mail and SMS yes)."""

from __future__ import annotations

from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.models import User
from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality

from .enums import ConsentPurpose
from .models import Consent
from .selectors import privacy_notice_get
from .services import consent_record, privacy_notice_save

NOTICE = (
    "A {city} trata dados pessoais para prestar os serviços públicos pedidos por você (Lei 13.709/2018, "
    "art. 7º, III e art. 23): protocolos, ouvidoria, agendamentos e avisos sobre eles.\n\n"
    "Guardamos os registros pelo prazo que a lei exige (art. 16, I). Você pode ver tudo o que temos, "
    'baixar uma cópia, pedir correção ou eliminação e saber quem acessou seus dados em "Meus dados".'
)


def seed(*, municipality: Municipality) -> None:
    if privacy_notice_get() is None:
        privacy_notice_save(
            body=NOTICE.format(city=municipality.display_name),
            dpo_name=f"Encarregado de Dados de {municipality.name}",
            dpo_email=f"encarregado@{municipality.slug}.gov.br",
            dpo_phone="(00) 3000-0000",
            dpo_unit=OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("id").first(),
        )
    citizen = User.objects.filter(email=DEMO_CITIZEN["email"]).first()
    if citizen is not None and not Consent.objects.filter(user=citizen).exists():
        consent_record(
            user=citizen,
            purpose=ConsentPurpose.EMAIL,
            granted=True,
            text_shown=str(ConsentPurpose.EMAIL.label),
        )
        consent_record(
            user=citizen, purpose=ConsentPurpose.SMS, granted=True, text_shown=str(ConsentPurpose.SMS.label)
        )
