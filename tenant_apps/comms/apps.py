from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "tenant_apps.comms"
    label = "comms"
    verbose_name = "Memorandos e circulares"

    def ready(self) -> None:
        from tenant_apps.documents.selectors import document_read_grant_register

        from .selectors import comms_document_read_grant

        document_read_grant_register(comms_document_read_grant)
