from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("saude/", views.home, name="home"),
    path("saude/cadastro/", views.register, name="register"),
    path("saude/acessos/", views.accesses, name="accesses"),
    path("saude/vaga/<str:offer_token>/", views.offer, name="offer"),
    path("saude/consulta/<slug:health_appointment_code>/", views.appointment_page, name="appointment"),
    path("saude/consulta/<slug:health_appointment_code>/cancelar/", views.cancel, name="cancel"),
    path("saude/lista-de-espera/<int:entry_id>/sair/", views.waiting_leave, name="waiting_leave"),
    path("saude/<slug:specialty_code>/", views.specialty_page, name="specialty"),
    path("saude/<slug:specialty_code>/confirmar/", views.confirm, name="confirm"),
    path("saude/<slug:specialty_code>/lista-de-espera/", views.waiting_join, name="waiting_join"),
    path("staff/saude/recepcao/", views.reception, name="reception"),
    path("staff/saude/recepcao/suspensoes/", views.suspensions, name="suspensions"),
    path("staff/saude/recepcao/agendar/", views.book_for, name="book_for"),
    path(
        "staff/saude/recepcao/<slug:health_appointment_code>/<slug:reception_action>/",
        views.reception_action,
        name="reception_action",
    ),
    path("staff/saude/agenda/", views.day_agenda, name="day"),
    path("staff/saude/agenda/<slug:health_appointment_code>/", views.attend, name="attend"),
    path("staff/saude/pacientes/<int:patient_id>/", views.patient_page, name="patient"),
    path("staff/saude/indicadores/", views.figures, name="figures"),
    path("admin-municipal/saude/", views.admin_home, name="admin"),
    path("admin-municipal/saude/agendas/<int:schedule_id>/", views.admin_schedule, name="admin_schedule"),
]
