from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "tenant_apps.permits"
    label = "permits"
    verbose_name = "Alvarás"

    def ready(self) -> None:
        from tenant_apps.documents.selectors import document_verification_note_register

        from .selectors import permit_verification_note

        document_verification_note_register(permit_verification_note)
        self._payments_register()

    def _payments_register(self) -> None:
        """The fee guides' payment handler (tenant_apps.payments, issue 14's Pix part)."""
        from importlib.util import find_spec

        if find_spec("tenant_apps.payments") is None:  # the payments module is merged separately
            return
        from tenant_apps.payments.purposes import register

        from .fees import FEE_PURPOSE, fee_paid_handler

        register(FEE_PURPOSE, fee_paid_handler)
