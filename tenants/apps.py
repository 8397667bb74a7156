from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Municípios"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the pool mode system check
