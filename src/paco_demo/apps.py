from django.apps import AppConfig


class PacoDemoConfig(AppConfig):
    """The demo: both demo cities, their people and every module's demo data (`make demo`)."""

    name = "paco_demo"
    verbose_name = "Paço demo"
