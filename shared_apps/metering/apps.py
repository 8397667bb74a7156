from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "shared_apps.metering"
    label = "metering"
