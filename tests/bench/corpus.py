"""Synthetic municipal Portuguese for the search bench: words, people, document kinds, the query mix.

Words are drawn with a Zipf-like weight (rank r gets 1/(r+1)), so a few words are in nearly every
document ("prefeitura", "municipal") and most are in a few percent of them, as in real office text.
Every word is a single token for PostgreSQL's parser (no hyphens), so a document's tsvector has
one position per word.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

# Most frequent first (the rank is the weight). Some are Portuguese stop words on purpose: real
# text has them and they take positions in the tsvector.
WORDS = tuple(
    dict.fromkeys(
        """
        de da do a o e para com em no na os as que por ao dos das sobre conforme
        prefeitura municipal secretaria processo requerimento solicitação pedido protocolo documento
        serviço cidadão munícipe servidor unidade setor despacho encaminhamento análise parecer
        informação prazo resposta decisão deferimento indeferimento arquivamento recurso ofício
        memorando circular portaria decreto lei artigo parágrafo inciso anexo comprovante certidão
        declaração atestado licença alvará autorização permissão concessão contrato convênio
        licitação pregão edital empenho pagamento nota fiscal tributo imposto taxa contribuição
        iptu iss itbi dívida ativa parcelamento isenção imunidade restituição compensação cobrança
        execução inscrição cadastro imobiliário mobiliário imóvel terreno lote quadra loteamento
        edificação construção reforma demolição vistoria fiscalização notificação autuação infração
        multa embargo interdição denúncia reclamação sugestão elogio ouvidoria transparência acesso
        poda árvore calçada via rua avenida praça bairro logradouro iluminação pública lâmpada poste
        buraco pavimentação asfalto drenagem esgoto água lixo coleta entulho limpeza capina roçagem
        baldio saneamento meio ambiente ambiental licenciamento supressão vegetação ruído poluição
        sonora queimada educação escola matrícula creche vaga transporte escolar merenda professor
        aluno saúde básica posto consulta exame medicamento vacina agendamento atendimento
        assistência social benefício auxílio cesta aluguel habitação moradia regularização
        fundiária usucapião escritura registro cartório trânsito estacionamento sinalização
        semáforo faixa pedestre ônibus linha tarifa táxi funcionamento estabelecimento comércio
        ambulante feira evento cultura esporte turismo cemitério sepultamento jazigo exumação
        férias aposentadoria pensão remuneração salário progressão funcional exoneração nomeação
        posse concurso estágio frequência ponto jornada adicional insalubridade periculosidade
        gratificação diária cargo comissão função lotação remoção cessão requisição procuradoria
        jurídico judicial ação mandado segurança sentença acordo precatório controladoria
        auditoria tribunal contas prestação orçamento dotação crédito suplementar receita despesa
        balanço relatório planilha projeto obra engenharia topografia medição boletim aditivo
        reajuste prorrogação rescisão penalidade garantia caução fornecedor empresa endereço
        telefone urgente prioridade idoso deficiência gestante acessibilidade rampa aprovado
        reprovado pendente concluído cancelado suspenso retificação correção atualização revisão
        valor venal alíquota cálculo lançamento exercício competência vencimento boleto guia
        desconto juros monetária certificado digital assinatura eletrônica verificação
        autenticidade cópia original digitalização arquivo físico eletrônico sistema senha
        ocupação solo zoneamento uso recuo gabarito afastamento numeração predial desmembramento
        remembramento unificação averbação topográfico georreferenciamento hidrante bombeiros
        defesa civil alagamento deslizamento encosta abrigo desabrigado vistoria técnica laudo
        perícia interdição demolição animal zoonoses castração vacinação antirrábica canil
        mercado abatedouro vigilância sanitária inspeção alimento restaurante padaria farmácia
        """.split()
    )
)

FIRST_NAMES = (
    "Maria José Ana João Antônio Francisca Carlos Paulo Pedro Lucas Luiz Marcos Luís Gabriel Rafael "
    "Daniel Marcelo Bruno Eduardo Felipe Raimundo Rodrigo Sebastião Adriana Juliana Márcia Fernanda "
    "Patrícia Aline Sandra Camila Amanda Bruna Jéssica Letícia Júlia Luciana Vanessa Mariana Gabriela "
    "Vera Cláudia Simone Conceição Irene Joaquim Benedito Cícero Inês Tânia"
).split()
SURNAMES = (
    "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins "
    "Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes "
    "Marques Machado Mendes Freitas Cardoso Ramos Gonçalves Santana Teixeira Araújo Magalhães Simões "
    "Conceição Brandão Guimarães Batista Cavalcanti Menezes Figueiredo Prado Fontes Damasceno Monteiro "
    "Tavares"
).split()

DOCUMENT_KINDS = (
    # (DocumentKind value, title prefix, percent of documents)
    ("REQ", "Requerimento", 40),
    ("DESP", "Despacho", 25),
    ("REC", "Comprovante", 10),
    ("RESP", "Resposta", 8),
    ("ANEXO", "Anexo", 7),
    ("MEMO", "Memorando", 5),
    ("CIRC", "Circular", 2),
    ("DOC", "Documento", 3),
)

STOP_WORDS = frozenset(WORDS[:20])
CONTENT_WORDS = tuple(word for word in WORDS if word not in STOP_WORDS)


class PhraseGenerator:
    """Deterministic runs of Zipf-drawn words; the seeding SQL glues them into documents."""

    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic text, not security
        self.cumulative_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(WORDS))))

    def phrase(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(WORDS, cum_weights=self.cumulative_weights, k=count))

    def phrases(self, count: int, low: int, high: int) -> list[str]:
        return [self.phrase(low, high) for _ in range(count)]


@dataclass(frozen=True)
class SearchQuery:
    category: str
    text: str


def search_queries(count: int, seed: int = 7) -> list[SearchQuery]:
    """What people type in the search box, in fixed proportions, interleaved by category.

    frequent: one of the 15 most frequent content words (matches most documents);
    topic: one word of middling frequency ("poda", "alvará"); two words: two topic words (AND);
    person: a first name and a surname (a few hundred documents); either: `a or b`.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic queries, not security
    frequent = CONTENT_WORDS[:15]
    topic = CONTENT_WORDS[40:220]
    makers = {
        "frequent": lambda: rng.choice(frequent),
        "topic": lambda: rng.choice(topic),
        "two words": lambda: " ".join(rng.sample(topic, 2)),
        "person": lambda: f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
        "either": lambda: " or ".join(rng.sample(topic, 2)),
    }
    shares = {"frequent": 15, "topic": 35, "two words": 20, "person": 20, "either": 10}
    categories = [name for name, share in shares.items() for _ in range(share)]
    rng.shuffle(categories)
    return [
        SearchQuery(category, makers[category]())
        for category in (categories[index % len(categories)] for index in range(count))
    ]
