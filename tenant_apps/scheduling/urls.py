from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("agendamento/", views.citizen_home, name="citizen_home"),
    path("agendamento/<slug:agenda_code>/", views.citizen_slots, name="citizen_slots"),
    path("agendamento/<slug:agenda_code>/confirmar/", views.citizen_confirm, name="citizen_confirm"),
    path(
        "agendamento/reserva/<slug:appointment_code>/", views.citizen_appointment, name="citizen_appointment"
    ),
    path(
        "agendamento/reserva/<slug:appointment_code>/cancelar/", views.citizen_cancel, name="citizen_cancel"
    ),
    path(
        "agendamento/reserva/<slug:appointment_code>/remarcar/",
        views.citizen_reschedule,
        name="citizen_reschedule",
    ),
    path("agendamento/reserva/<slug:appointment_code>/sala/", views.citizen_room, name="citizen_room"),
    path("agendamento/reserva/<slug:appointment_code>/convite.ics", views.citizen_ics, name="citizen_ics"),
    path(
        "agendamento/reserva/<slug:appointment_code>/documentos/", views.citizen_upload, name="citizen_upload"
    ),
    path("agenda/calendario/<slug:feed_token>.ics", views.feed, name="feed"),
    path("staff/agenda/", views.staff_agenda_page, name="staff_agenda"),
    path("staff/agenda/indicadores/", views.staff_figures, name="staff_figures"),
    path("staff/agenda/calendario/", views.staff_feed, name="staff_feed"),
    path("staff/agenda/<slug:appointment_code>/", views.staff_appointment, name="staff_appointment"),
    path("staff/agenda/<slug:appointment_code>/sala/", views.staff_room, name="staff_room"),
    path(
        "staff/agenda/<slug:appointment_code>/<slug:appointment_action>/",
        views.staff_appointment_action,
        name="staff_appointment_action",
    ),
    path("admin-municipal/agendamento/", views.admin_agenda_list, name="admin_agenda_list"),
    path("admin-municipal/agendamento/novo/", views.admin_agenda_create, name="admin_agenda_create"),
    path("admin-municipal/agendamento/<int:agenda_id>/", views.admin_agenda_edit, name="admin_agenda_edit"),
    path(
        "admin-municipal/agendamento/<int:agenda_id>/atendentes/<int:resource_id>/",
        views.admin_resource,
        name="admin_resource",
    ),
    path(
        "admin-municipal/agendamento/<int:agenda_id>/atendentes/<int:resource_id>/horarios/",
        views.admin_rule_add,
        name="admin_rule_add",
    ),
    path(
        "admin-municipal/agendamento/<int:agenda_id>/atendentes/<int:resource_id>/horarios/<int:rule_id>/remover/",
        views.admin_rule_remove,
        name="admin_rule_remove",
    ),
    path(
        "admin-municipal/agendamento/<int:agenda_id>/atendentes/<int:resource_id>/ausencias/",
        views.admin_exception_add,
        name="admin_exception_add",
    ),
    path(
        "admin-municipal/agendamento/<int:agenda_id>/atendentes/<int:resource_id>/ausencias/<int:exception_id>/remover/",
        views.admin_exception_remove,
        name="admin_exception_remove",
    ),
]
