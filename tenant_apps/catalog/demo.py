"""Demo data of the Carta de Serviços: a few services in each demo city (`paco_demo.seeding`)."""

from __future__ import annotations

from typing import Any

from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality

from .services import service_ensure

DEMO_CATALOG: dict[str, list[dict[str, Any]]] = {
    "aracaju": [
        {
            "code": "poda-de-arvore",
            "name": "Poda de árvore",
            "unit": "EMSURB",
            "group": "Meio urbano",
            "description": "Pedido de poda ou avaliação de árvore em calçada ou área pública.",
            "deadline_days": 15,
            "fields": [
                {"key": "endereco", "label": "Endereço da árvore", "kind": "address"},
                {"key": "referencia", "label": "Ponto de referência", "kind": "text", "is_required": False},
                {
                    "key": "motivo",
                    "label": "Motivo",
                    "kind": "choice",
                    "choices": ["Risco de queda", "Galhos na fiação", "Obstrução de calçada", "Outro"],
                },
            ],
            "attachments": [{"name": "Foto da árvore", "is_required": False}],
        },
        {
            "code": "certidao-negativa-de-debitos",
            "name": "Certidão negativa de débitos",
            "unit": "SEFAZ-TRIB",
            "group": "Tributos",
            "description": "Certidão de que não há débitos municipais em nome do contribuinte.",
            "deadline_days": 5,
            "fields": [
                {"key": "cpf_contribuinte", "label": "CPF do contribuinte", "kind": "cpf"},
                {"key": "inscricao", "label": "Inscrição imobiliária", "kind": "text", "is_required": False},
                {"key": "finalidade", "label": "Finalidade", "kind": "text"},
            ],
            "attachments": [{"name": "Documento de identificação", "is_required": True}],
        },
        {
            "code": "alvara-de-funcionamento",
            "name": "Alvará de funcionamento",
            "unit": "SEFAZ-TRIB",
            "group": "Empresas",
            "description": "Licença para o funcionamento de estabelecimento.",
            "deadline_days": 30,
            "deadline_kind": "calendar",
            "fields": [
                {"key": "cnpj", "label": "CNPJ", "kind": "cnpj"},
                {"key": "razao_social", "label": "Razão social", "kind": "text"},
                {"key": "endereco", "label": "Endereço do estabelecimento", "kind": "address"},
                {"key": "atividade", "label": "Atividade principal", "kind": "text"},
            ],
            "attachments": [
                {"name": "Contrato social", "is_required": True},
                {"name": "Comprovante de endereço", "is_required": True},
            ],
        },
    ],
    "gravatai": [
        {
            "code": "revisao-de-iptu",
            "name": "Revisão de IPTU",
            "unit": "SMF-FISC",
            "group": "Tributos",
            "description": "Pedido de revisão do valor ou dos dados do IPTU.",
            "deadline_days": 30,
            "fields": [
                {"key": "inscricao", "label": "Inscrição do imóvel", "kind": "text"},
                {"key": "motivo", "label": "Motivo do pedido", "kind": "long_text"},
            ],
            "attachments": [{"name": "Matrícula do imóvel", "is_required": False}],
        },
        {
            "code": "duvidas-sobre-iss",
            "name": "Dúvidas sobre ISS",
            "unit": "SMF-FISC",
            "group": "Tributos",
            "description": "Pergunta à fiscalização sobre o Imposto Sobre Serviços.",
            "deadline_days": 10,
            "fields": [
                {"key": "cnpj", "label": "CNPJ da empresa", "kind": "cnpj"},
                {"key": "pergunta", "label": "Sua dúvida", "kind": "long_text"},
            ],
        },
        {
            "code": "atendimento-por-video-com-fiscal",
            "name": "Atendimento por vídeo com fiscal",
            "unit": "SMF-FISC",
            "group": "Atendimento",
            "description": (
                "Agende pela internet uma conversa por vídeo com um dos fiscais tributários: tire dúvidas, "
                "mostre documentos e encaminhe soluções sem sair de casa. O horário é escolhido em "
                "/agendamento/, e o atendimento fica registrado neste protocolo."
            ),
            "deadline_days": 5,
            # the booking picks the date (tenant_apps.scheduling): the form asks the subject only
            "fields": [
                {
                    "key": "assunto",
                    "label": "Assunto",
                    "kind": "choice",
                    "choices": ["IPTU", "ISS", "ITBI", "NFS-e"],
                },
            ],
        },
        {
            "code": "avaliacao-sesmt",
            "name": "Avaliação do SESMT",
            "unit": "SESMT",
            "group": "Servidores",
            "description": "Pedido interno de avaliação de segurança e medicina do trabalho.",
            "deadline_days": 10,
            "is_public": False,
            "fields": [{"key": "local", "label": "Local de trabalho", "kind": "text"}],
        },
    ],
}
DEMO_CATALOG["aracaju"].append(
    {
        "code": "atendimento-na-sefaz",
        "name": "Atendimento na SEFAZ",
        "unit": "SEFAZ-TRIB",
        "group": "Atendimento",
        "description": (
            "Atendimento presencial na Secretaria da Fazenda com hora marcada: escolha o assunto e o "
            "horário em /agendamento/; o atendimento fica registrado neste protocolo."
        ),
        "deadline_days": 5,
        "fields": [
            {
                "key": "assunto",
                "label": "Assunto",
                "kind": "choice",
                "choices": ["IPTU", "ISS", "Certidões", "Dívida ativa"],
            }
        ],
    }
)


def seed(*, municipality: Municipality) -> None:
    for spec in DEMO_CATALOG.get(municipality.slug, []):
        spec = dict(spec)
        unit = OrgUnit.objects.get(acronym=spec.pop("unit"))
        service_ensure(unit=unit, **spec)
