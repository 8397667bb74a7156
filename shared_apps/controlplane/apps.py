from django.apps import AppConfig


class ControlPlaneConfig(AppConfig):
    name = "shared_apps.controlplane"
    label = "controlplane"
    verbose_name = "Plano de controle"
