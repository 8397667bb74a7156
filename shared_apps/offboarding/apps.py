from django.apps import AppConfig


class OffboardingConfig(AppConfig):
    name = "shared_apps.offboarding"
    label = "offboarding"
