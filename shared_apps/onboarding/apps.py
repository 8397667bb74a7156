from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "shared_apps.onboarding"
    label = "onboarding"
