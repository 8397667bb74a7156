from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import AccessAction, AccessLevel, DocumentKind


class NumberSequence(models.Model):
    """One gapless counter per scope (e.g. "nup:10008:2026", "doc:MEMO:10001:2026").

    Incremented under a row lock inside the transaction that uses the number, so a rolled-back
    transaction gives its number back and two concurrent ones never get the same.
    """

    scope = models.CharField(max_length=100, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}={self.last_value}"


class Document(BaseModel):
    """A numbered official document with versions, attachments, a PDF and a public verification code."""

    kind = models.CharField(_("espécie"), max_length=8, choices=DocumentKind.choices)
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unidade autora"), on_delete=models.PROTECT, related_name="documents"
    )
    year = models.PositiveIntegerField(_("ano"))
    sequence = models.PositiveIntegerField(_("número"))
    title = models.CharField(_("título"), max_length=300)
    access_level = models.CharField(
        _("nível de acesso"), max_length=10, choices=AccessLevel.choices, default=AccessLevel.PUBLIC
    )
    legal_basis = models.CharField(_("hipótese legal"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_code = models.CharField(_("código de verificação"), max_length=20, unique=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("documento")
        verbose_name_plural = _("documentos")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "year", "sequence"], name="documents_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(access_level="publico") | ~models.Q(legal_basis=""),
                name="documents_restricted_needs_legal_basis",
            ),
        ]
        indexes = [GinIndex(fields=["search_vector"], name="documents_search_gin")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.kind} {self.sequence}/{self.year} - {self.unit.acronym}"


class DocumentVersion(BaseModel):
    """An immutable version of a document's text and its rendered PDF."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versão"))
    body = models.TextField(_("texto"))
    body_sha256 = models.CharField(max_length=64)
    pdf_name = models.CharField(_("arquivo PDF"), max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Attachment(BaseModel):
    """An uploaded file, stored in the tenant's storage and verified by SHA-256 on every read."""

    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    storage_name = models.CharField(max_length=255, unique=True)
    original_name = models.CharField(_("nome do arquivo"), max_length=255)
    content_type = models.CharField(_("tipo"), max_length=100)
    size = models.PositiveBigIntegerField(_("tamanho"))
    sha256 = models.CharField(max_length=64)
    label = models.CharField(_("descrição"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("anexo")
        verbose_name_plural = _("anexos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DocumentAccessLog(BaseModel):
    """Every read of a restricted or secret document (who, when, what, from where)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="access_logs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action} {self.user_id}"
