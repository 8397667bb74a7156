from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "tenant_apps.workdays"
    label = "workdays"
    verbose_name = "Calendário e prazos"
