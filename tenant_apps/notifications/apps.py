from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tenant_apps.notifications"
    label = "notifications"
    verbose_name = "Notificações"
