from django.urls import path

from . import views

app_name = "comms"

urlpatterns = [
    path("staff/memorandos/", views.memo_list, name="memo_list"),
    path("staff/memorandos/novo/", views.memo_create, name="memo_create"),
    path("staff/memorandos/<int:memo_id>/", views.memo_detail, name="memo_detail"),
    path("staff/memorandos/<int:memo_id>/<slug:memo_action>/", views.memo_action, name="memo_action"),
    path("staff/circulares/", views.circular_list, name="circular_list"),
    path("staff/circulares/nova/", views.circular_create, name="circular_create"),
    path("staff/circulares/<int:circular_id>/", views.circular_detail, name="circular_detail"),
    path(
        "staff/circulares/<int:circular_id>/ciente/", views.circular_acknowledge, name="circular_acknowledge"
    ),
    path("staff/circulares/<int:circular_id>/ciencias/", views.circular_receipts, name="circular_receipts"),
    path("staff/circulares/<int:circular_id>/lembrete/", views.circular_remind, name="circular_remind"),
    path(
        "staff/circulares/<int:circular_id>/ciencias.csv",
        views.circular_export_csv,
        name="circular_export_csv",
    ),
    path(
        "staff/circulares/<int:circular_id>/ciencias.pdf",
        views.circular_export_pdf,
        name="circular_export_pdf",
    ),
    path("staff/comunicacoes/atividade/", views.unit_activity, name="unit_activity"),
]
