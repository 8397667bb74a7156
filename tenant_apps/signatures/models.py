from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenant_apps.documents.enums import DocumentKind

from .enums import BlockStatus, RequestStatus, SignatureLevel, SignerStatus


class CityAuthority(BaseModel):
    """The city's internal certificate authority and its document-signing certificate (one row).

    Both private keys are stored as encrypted PKCS#8 (the passphrase comes from the settings,
    SIGNATURES_KEY_PASSPHRASE): a copy of the database alone never yields a usable key.
    """

    ca_certificate_pem = models.TextField()
    ca_key_encrypted_pem = models.TextField()
    signing_certificate_pem = models.TextField()
    signing_key_encrypted_pem = models.TextField()

    def __str__(self) -> str:
        return f"authority {self.pk}"


class KindPolicy(BaseModel):
    """The minimum signature level of a document kind (Lei 14.063/2020, art. 5º: each entity sets it)."""

    kind = models.CharField(_("espécie"), max_length=8, choices=DocumentKind.choices, unique=True)
    minimum_level = models.CharField(
        _("nível mínimo"), max_length=12, choices=SignatureLevel.choices, default=SignatureLevel.SIMPLE
    )

    def __str__(self) -> str:
        return f"{self.kind}>={self.minimum_level}"


class Signature(BaseModel):
    """One signature on one version of a document. Every signature made here is a PAdES signature and
    `pdf_name` is the PDF after it was added (an incremental update of the previous signature's PDF, or
    of the version's rendering). Memo signatures recorded before memos moved onto this module (the old
    comms simple-signature rows, converted by comms migration 0002) carry no PDF: `pdf_name` is empty,
    and they are simple signatures (Lei 14.063/2020, art. 4º, I: who, when, the text's SHA-256)."""

    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.PROTECT, related_name="signatures"
    )
    sequence = models.PositiveIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=200)
    signer_cpf_masked = models.CharField(max_length=20, blank=True)
    level = models.CharField(max_length=12, choices=SignatureLevel.choices)
    signed_at = models.DateTimeField()
    certificate_subject = models.CharField(max_length=500, blank=True)
    certificate_issuer = models.CharField(max_length=500, blank=True)
    is_certification = models.BooleanField(default=False)
    has_timestamp = models.BooleanField(default=False)
    body_sha256 = models.CharField(max_length=64)
    pdf_name = models.CharField(max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["version_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["version", "sequence"], name="signatures_unique_sequence"),
            models.UniqueConstraint(fields=["version", "signer"], name="signatures_sign_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.version_id} #{self.sequence}"

    @property
    def is_embedded(self) -> bool:
        """A PAdES signature inside the PDF (every signature made since memos moved here)."""
        return bool(self.pdf_name)


class SigningBlock(BaseModel):
    """A bloco de assinatura: documents gathered for several signers, in order or in parallel."""

    title = models.CharField(_("título"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_ordered = models.BooleanField(_("assinaturas em ordem"), default=False)
    level = models.CharField(
        _("nível"), max_length=12, choices=SignatureLevel.choices, default=SignatureLevel.ADVANCED
    )
    status = models.CharField(max_length=12, choices=BlockStatus.choices, default=BlockStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SigningBlockDocument(BaseModel):
    block = models.ForeignKey(SigningBlock, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("documents.DocumentVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["block", "document"], name="signatures_block_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.block_id}:{self.document_id}"


class SigningBlockSigner(BaseModel):
    block = models.ForeignKey(SigningBlock, on_delete=models.CASCADE, related_name="signers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=SignerStatus.choices, default=SignerStatus.PENDING)
    refusal_reason = models.TextField(blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["block", "position"]
        constraints = [models.UniqueConstraint(fields=["block", "user"], name="signatures_block_signer_once")]

    def __str__(self) -> str:
        return f"{self.block_id}:{self.user_id}"


class SignatureRequest(BaseModel):
    """A signature a job makes after the write commits: the document is sent at once and its signed
    PDF follows (memos). The level and the second factor were checked when it was asked for; until
    the job signs, the document's pages say "assinatura em processamento". A failed attempt is kept
    (attempts, last_error) and retried; after the last one the status is "falhou", visible to all."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="signature_requests"
    )
    version = models.ForeignKey("documents.DocumentVersion", on_delete=models.CASCADE, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("nível"), max_length=12, choices=SignatureLevel.choices)
    status = models.CharField(
        _("situação"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("último erro"), max_length=500, blank=True)
    signature = models.OneToOneField(
        Signature, null=True, blank=True, on_delete=models.SET_NULL, related_name="request"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "signer"], name="signatures_request_once_per_signer")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.version_id} {self.status}"
