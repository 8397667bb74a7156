from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("n/<slug:notification_token>/p.gif", views.notification_pixel, name="pixel"),
    path("n/<slug:notification_token>/l/", views.notification_link, name="link"),
    path("webhooks/ses/", views.ses_webhook, name="ses_webhook"),
    path("staff/notificacoes/", views.staff_inbox, name="staff_inbox"),
    path("staff/notificacoes/<int:notification_id>/lida/", views.staff_inbox_read, name="staff_inbox_read"),
    path("admin-municipal/notificacoes/", views.template_list, name="template_list"),
    path("admin-municipal/notificacoes/<slug:template_key>/", views.template_edit, name="template_edit"),
    path(
        "admin-municipal/notificacoes/<slug:template_key>/padrao/",
        views.template_reset,
        name="template_reset",
    ),
]
