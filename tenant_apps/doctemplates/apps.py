from django.apps import AppConfig


class DocTemplatesConfig(AppConfig):
    name = "tenant_apps.doctemplates"
    label = "doctemplates"
    verbose_name = "Modelos de documento"
