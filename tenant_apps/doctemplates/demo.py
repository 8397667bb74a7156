"""Demo templates: Aracaju's ofício, despacho and certidão; Gravataí's parecer fiscal and notificação."""

from __future__ import annotations

from tenant_apps.accounts.models import User
from tenant_apps.documents.enums import DocumentKind
from tenants.models import Municipality

from .models import CityProfile, DocumentTemplate
from .services import template_create

OFICIO = (
    "<p><strong>Ofício</strong> referente ao processo {{ caso.nup }} ({{ caso.servico }}).</p>"
    "<p>Senhor(a) {{ requerente.nome }}, CPF {{ requerente.documento }},</p>"
    "<p>Comunicamos o andamento do seu pedido “{{ caso.assunto }}”, aberto em {{ caso.aberto_em }},"
    " com prazo de resposta até {{ caso.prazo }}.</p>"
    "<p>Atenciosamente,</p><p>{{ signatario.nome }}<br>{{ signatario.cargo }}</p>"
    "<p>{{ municipio.nome }}, {{ data.hoje_extenso }}.</p>"
)
DESPACHO = (
    "<p><strong>Despacho</strong> no processo {{ caso.nup }}.</p>"
    "<p>Encaminhe-se à {{ unidade.nome }} ({{ unidade.sigla }}) para análise e manifestação.</p>"
    "<p>{{ signatario.nome }} — {{ data.hoje_extenso }}.</p>"
)
CERTIDAO = (
    "<h2>Certidão</h2>"
    "<p>Certificamos, para os devidos fins, que {{ requerente.nome }}, CPF {{ requerente.documento }},"
    " requereu “{{ caso.servico }}” pelo processo {{ caso.nup }}, em {{ caso.aberto_em }}.</p>"
    "<p>{{ municipio.nome }} ({{ municipio.uf }}), {{ data.hoje_extenso }}.</p>"
    "<p>{{ signatario.nome }}<br>{{ signatario.cargo }}</p>"
)
PARECER = (
    "<h2>Parecer fiscal</h2>"
    "<p>Processo {{ caso.nup }} — requerente {{ requerente.nome }} ({{ requerente.documento }}).</p>"
    "<p>Dados informados: {{ caso.respostas }}.</p>"
    "<ul><li>Situação cadastral: regular.</li><li>Débitos: não constam.</li></ul>"
    "<p>É o parecer. {{ signatario.nome }}, {{ signatario.cargo }}, {{ data.hoje_extenso }}.</p>"
)
NOTIFICACAO = (
    "<h2>Notificação</h2>"
    "<p>Fica {{ requerente.nome }}, CPF {{ requerente.documento }}, endereço {{ requerente.endereco }},"
    " notificado(a) a apresentar, no processo {{ caso.nup }},"
    " os documentos pendentes até {{ caso.prazo }}.</p>"
    "<p>{{ municipio.nome }}, {{ data.hoje_extenso }}. Prefeito(a): {{ municipio.prefeito }}.</p>"
)

DEMO_TEMPLATES = {
    "aracaju": [
        ("Ofício ao requerente", DocumentKind.OFFICIAL_LETTER, OFICIO),
        ("Despacho de encaminhamento", DocumentKind.DISPATCH, DESPACHO),
        ("Certidão de requerimento", DocumentKind.CERTIFICATE, CERTIDAO),
    ],
    "gravatai": [
        ("Parecer fiscal", DocumentKind.OPINION, PARECER),
        ("Notificação de pendência", DocumentKind.NOTICE, NOTIFICACAO),
    ],
}
DEMO_MAYORS = {"aracaju": "Emília Corrêa (demonstração)", "gravatai": "Luiz Zaffalon (demonstração)"}


def seed(*, municipality: Municipality) -> None:
    author = User.objects.filter(email__startswith="admin@", kind="staff").order_by("pk").first()
    if author is None:
        return
    profile, _created = CityProfile.objects.get_or_create(pk=1)
    if not profile.mayor_name:
        profile.mayor_name = DEMO_MAYORS.get(municipality.slug, "")
        profile.save(update_fields=["mayor_name"])
    for name, kind, body in DEMO_TEMPLATES.get(municipality.slug, []):
        if not DocumentTemplate.objects.filter(name=name).exists():
            template_create(name=name, kind=kind, body=body, created_by=author, is_published=True)
