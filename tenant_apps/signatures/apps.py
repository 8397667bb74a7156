from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "tenant_apps.signatures"
    label = "signatures"
    verbose_name = "Assinaturas"
