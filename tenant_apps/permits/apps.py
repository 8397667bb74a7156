from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "tenant_apps.permits"
    label = "permits"
    verbose_name = "Alvarás"

    def ready(self) -> None:
        from tenant_apps.documents.selectors import document_verification_note_register

        from .selectors import permit_verification_note

        document_verification_note_register(permit_verification_note)
        # the fee guides (DAM by Pix) of tenant_apps.payments: what runs when one is paid
        from django.utils.translation import gettext_lazy as _

        from tenant_apps.payments.purposes import register

        from .fees import FEE_PURPOSE
        from .services import fee_paid_handler

        register(FEE_PURPOSE, fee_paid_handler, label=_("Taxa de alvará"))
