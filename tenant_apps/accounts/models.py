from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import UserKind


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("kind", UserKind.SUPPORT)
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin, BaseModel):
    """A person who logs in. Citizens and staff live in their city's schema; vendor support in public.

    The same e-mail in two cities is two different accounts in two schemas: nothing is shared.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("nome completo"), max_length=200)
    cpf = models.CharField(_("CPF"), max_length=11, unique=True, null=True, blank=True)
    phone = models.CharField(_("celular"), max_length=20, blank=True)
    kind = models.CharField(_("tipo"), max_length=16, choices=UserKind.choices, default=UserKind.CITIZEN)
    is_active = models.BooleanField(_("ativo"), default=True)
    is_staff = models.BooleanField(_("acesso ao admin do Django"), default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("usuário")
        verbose_name_plural = _("usuários")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_citizen(self) -> bool:
        return self.kind == UserKind.CITIZEN

    @property
    def is_servidor(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""


class StaffInvitation(BaseModel):
    """A one-time link that lets a staff member choose their first password.

    Only the SHA-256 of the token is stored: the raw token travels once, in the e-mail.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_invitations")
    token_hash = models.CharField(_("resumo do token"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expira em"))
    accepted_at = models.DateTimeField(_("aceito em"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revogado em"), null=True, blank=True)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("convidado por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("convite de servidor")
        verbose_name_plural = _("convites de servidores")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.created_at:%Y-%m-%d})"
