from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tenant_apps.documents"
    label = "documents"
    verbose_name = "Documentos"
