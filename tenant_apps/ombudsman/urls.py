from django.urls import path, register_converter

from tenant_apps.cases.converters import NupDigitsConverter

from . import views

register_converter(NupDigitsConverter, "manifestation_nup")

app_name = "ombudsman"

urlpatterns = [
    path("ouvidoria/", views.home, name="home"),
    path("ouvidoria/nova/", views.file, name="file"),
    path("ouvidoria/registrada/", views.filed, name="filed"),
    path("ouvidoria/acompanhar/", views.follow, name="follow"),
    path(
        "ouvidoria/acompanhar/<manifestation_nup:manifestation_nup>/",
        views.follow_detail,
        name="follow_detail",
    ),
    path(
        "ouvidoria/acompanhar/<manifestation_nup:manifestation_nup>/<slug:ombudsman_action>/",
        views.follow_action,
        name="follow_action",
    ),
    path("staff/ouvidoria/", views.staff_list, name="staff_list"),
    path("staff/ouvidoria/nova/", views.staff_new, name="staff_new"),
    path("staff/ouvidoria/configuracao/", views.staff_settings, name="staff_settings"),
    path("staff/ouvidoria/relatorios/", views.staff_report, name="staff_report"),
    path("staff/ouvidoria/relatorios.csv", views.staff_report_csv, name="staff_report_csv"),
    path("staff/ouvidoria/<manifestation_nup:manifestation_nup>/", views.staff_detail, name="staff_detail"),
    path(
        "staff/ouvidoria/<manifestation_nup:manifestation_nup>/<slug:ombudsman_action>/",
        views.staff_action,
        name="staff_action",
    ),
]
