from django.urls import path

from . import opendata_views, views

app_name = "insights"

urlpatterns = [
    path("staff/indicadores/", views.manager, name="manager"),
    path("staff/indicadores/<slug:chart>.csv", views.manager_csv, name="manager_csv"),
    path(
        "staff/indicadores/relatorio/<int:year>/<slug:report>.pdf", views.annual_report, name="annual_report"
    ),
    path("admin-municipal/indicadores/", views.settings_page, name="settings"),
    path("dados-abertos/", opendata_views.catalogue, name="opendata"),
    path("dados-abertos/catalogo.json", opendata_views.catalogue_dcat, name="opendata_dcat"),
    path("dados-abertos/<slug:dataset>.csv", opendata_views.dataset_csv, name="opendata_csv"),
    path("dados-abertos/<slug:dataset>.json", opendata_views.dataset_json, name="opendata_json"),
    path(
        "dados-abertos/<slug:dataset>/dicionario/",
        opendata_views.dataset_dictionary,
        name="opendata_dictionary",
    ),
    path("dados-abertos/<slug:dataset>/schema.json", opendata_views.dataset_schema, name="opendata_schema"),
]
