from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tenant_apps.cases"
    label = "cases"
    verbose_name = "Protocolo"

    def ready(self) -> None:
        from tenant_apps.documents.selectors import document_read_grant_register

        from .selectors import case_document_read_grant

        document_read_grant_register(case_document_read_grant)
