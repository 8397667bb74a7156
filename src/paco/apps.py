from django.apps import AppConfig


class PacoConfig(AppConfig):
    name = "paco"
    verbose_name = "Paço"

    def ready(self) -> None:
        from .anonymous_cache import anonymous_cache_signals_connect

        anonymous_cache_signals_connect()
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .observability import secrets_log_filter_install

        secrets_log_filter_install()  # gunicorn's access log and runserver's request lines
