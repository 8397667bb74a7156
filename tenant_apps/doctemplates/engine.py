"""The template engine for staff-written modelos: Jinja2's SandboxedEnvironment with only the listed
merge fields, checked when a template is saved (never when a citizen is waiting).

A template body is a small subset of HTML (paragraphs, bold, italic, lists, headings) with merge
fields written `{{ caso.nup }}`. A body is refused, with the field or tag named, if it:
- uses a field that is not in `MERGE_FIELDS` (or any attribute, index, filter, call or tag:
  a template written by staff is code run by the server, so only plain `{{ group.field }}` is allowed);
- has markup that is not balanced, or a tag or attribute outside `ALLOWED_TAGS`.
Rendering uses the sandbox, autoescapes the values and has only the listed fields in its context
(plain dicts of strings): no model instance ever reaches the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import nh3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from paco.errors import ApplicationError


@dataclass(frozen=True)
class MergeField:
    key: str  # "caso.nup"
    label: Any  # a lazy translation
    example: str


MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("caso.nup", gettext_lazy("Caso: NUP"), "10001.000123/2026-45"),
    MergeField("caso.servico", gettext_lazy("Caso: serviço"), "Alvará de funcionamento"),
    MergeField("caso.assunto", gettext_lazy("Caso: assunto"), "Pedido de alvará"),
    MergeField("caso.respostas", gettext_lazy("Caso: respostas do formulário"), "Área: 120 m²"),
    MergeField("caso.aberto_em", gettext_lazy("Caso: data de abertura"), "01/12/2026"),
    MergeField("caso.prazo", gettext_lazy("Caso: prazo"), "31/12/2026"),
    MergeField("requerente.nome", gettext_lazy("Requerente: nome"), "Maria da Silva"),
    MergeField("requerente.documento", gettext_lazy("Requerente: CPF/CNPJ (mascarado)"), "***.456.789-**"),
    MergeField("requerente.endereco", gettext_lazy("Requerente: endereço"), "Rua A, 10"),
    MergeField("unidade.nome", gettext_lazy("Unidade: nome"), "Secretaria da Fazenda"),
    MergeField("unidade.sigla", gettext_lazy("Unidade: sigla"), "SEFAZ"),
    MergeField("municipio.nome", gettext_lazy("Município: nome"), "Prefeitura de Aracaju"),
    MergeField("municipio.uf", gettext_lazy("Município: UF"), "SE"),
    MergeField("municipio.prefeito", gettext_lazy("Município: prefeito(a)"), "Fulano de Tal"),
    MergeField(
        "municipio.brasao", gettext_lazy("Município: brasão (no cabeçalho do PDF)"), "[brasão no cabeçalho]"
    ),
    MergeField("signatario.nome", gettext_lazy("Signatário: nome"), "João Souza"),
    MergeField("signatario.cargo", gettext_lazy("Signatário: cargo"), "Secretário"),
    MergeField("data.hoje_extenso", gettext_lazy("Data de hoje por extenso"), "6 de dezembro de 2026"),
)
MERGE_FIELD_KEYS = frozenset(field.key for field in MERGE_FIELDS)

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "blockquote"}
)
VOID_TAGS = frozenset({"br"})
BLOCK_TAGS = frozenset({"p", "h2", "h3", "blockquote", "ul", "ol"})
MAX_BODY_CHARS = 50_000

_environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


class TemplateBodyError(ApplicationError):
    """A template body that cannot be saved (unknown field, forbidden syntax, unbalanced markup)."""


def _dotted(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return f"{node.node.name}.{node.attr}"
    return None


def _check_expression(node: nodes.Node) -> str:
    dotted = _dotted(node)
    if dotted is None:
        described = node.name if isinstance(node, nodes.Name) else type(node).__name__
        raise TemplateBodyError(
            _(
                "Campo de mesclagem não permitido: “%(field)s”. Use só campos da lista,"
                " escritos como {{ caso.nup }}, sem filtros, índices ou chamadas."
            )
            % {"field": described},
            extra={"field": "body"},
        )
    if dotted not in MERGE_FIELD_KEYS:
        raise TemplateBodyError(
            _("Campo de mesclagem desconhecido: “%(field)s”. Escolha um campo da lista.") % {"field": dotted},
            extra={"field": "body"},
        )
    return dotted


def merge_fields_used(body: str) -> list[str]:
    """The merge fields of `body`, in order; raises TemplateBodyError for anything else in `{{ }}`/`{% %}`."""
    try:
        tree = _environment.parse(body)
    except TemplateSyntaxError as error:
        raise TemplateBodyError(
            _("Marcação de campo incompleta na linha %(line)s: %(message)s. Feche cada {{ com }}.")
            % {"line": error.lineno, "message": error.message},
            extra={"field": "body"},
        ) from error
    used: list[str] = []
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            raise TemplateBodyError(
                _("Comandos de modelo ({%% ... %%}) não são permitidos; use só campos da lista."),
                extra={"field": "body"},
            )
        for part in statement.nodes:
            if isinstance(part, nodes.TemplateData):
                continue
            field = _check_expression(part)
            if field not in used:
                used.append(field)
    return used


class _BalanceChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.problem:
            return
        if tag not in ALLOWED_TAGS:
            self.problem = _("A marcação <%(tag)s> não é permitida no texto do modelo.") % {"tag": tag}
        elif attrs:
            self.problem = _("A marcação <%(tag)s> não pode ter atributos (%(name)s).") % {
                "tag": tag,
                "name": attrs[0][0],
            }
        elif tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.problem or tag in VOID_TAGS:
            return
        if not self.stack or self.stack[-1] != tag:
            expected = self.stack[-1] if self.stack else ""
            self.problem = (
                _("Marcação desbalanceada: </%(tag)s> fecha <%(expected)s>.")
                % {"tag": tag, "expected": expected}
                if expected
                else _("Marcação desbalanceada: </%(tag)s> sem abertura.") % {"tag": tag}
            )
            return
        self.stack.pop()


def markup_check(body: str) -> None:
    checker = _BalanceChecker()
    checker.feed(body)
    checker.close()
    if not checker.problem and checker.stack:
        checker.problem = _("Marcação desbalanceada: <%(tag)s> não foi fechada.") % {"tag": checker.stack[-1]}
    if checker.problem:
        raise TemplateBodyError(checker.problem, extra={"field": "body"})


def template_body_check(body: str) -> list[str]:
    """Everything checked at save; returns the merge fields used."""
    if not body.strip():
        raise TemplateBodyError(_("Escreva o texto do modelo."), extra={"field": "body"})
    if len(body) > MAX_BODY_CHARS:
        raise TemplateBodyError(
            _("O texto do modelo passa de %(limit)s caracteres.") % {"limit": MAX_BODY_CHARS},
            extra={"field": "body"},
        )
    fields = merge_fields_used(body)
    markup_check(body)
    return fields


def sanitize(html_text: str) -> str:
    """The allowed subset only (nh3/ammonia), whatever reached us."""
    return nh3.clean(html_text, tags=set(ALLOWED_TAGS), attributes={})


def render_html(body: str, context: dict[str, dict[str, str]]) -> str:
    """The body with its fields filled (values autoescaped), sanitised. `context` holds only strings."""
    template_body_check(body)
    allowed: dict[str, dict[str, str]] = {}
    for key in MERGE_FIELD_KEYS:
        group, name = key.split(".")
        allowed.setdefault(group, {})[name] = str(context.get(group, {}).get(name, ""))
    rendered = _environment.from_string(body).render(**allowed)
    return sanitize(rendered)


class _TextConverter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.list_kind: list[str] = []
        self.counters: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("ul", "ol"):
            self.list_kind.append(tag)
            self.counters.append(0)
        elif tag == "li":
            if self.counters:
                self.counters[-1] += 1
            marker = f"{self.counters[-1]}. " if self.list_kind and self.list_kind[-1] == "ol" else "• "
            self.parts.append("\n" + marker)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.list_kind:
            self.list_kind.pop()
            self.counters.pop()
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(" ".join(data.split("\n")) if data.strip() else data.strip(" \n"))


def html_to_text(html_text: str) -> str:
    """Plain text with paragraphs and list markers: the body of the generated document (whose PDF
    escapes and lays out plain text)."""
    converter = _TextConverter()
    converter.feed(html_text)
    converter.close()
    text = "".join(converter.parts)  # character references already decoded by the parser
    lines = [line.strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()
