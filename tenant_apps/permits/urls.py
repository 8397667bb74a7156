from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("alvaras/", views.register, name="register"),
    path("alvaras/solicitar/", views.kind_list, name="kind_list"),
    path("alvaras/solicitar/<slug:kind_code>/", views.request_new, name="request_new"),
    path("alvaras/pedidos/", views.request_list, name="request_list"),
    path("alvaras/pedidos/<int:permit_request_id>/", views.request_detail, name="request_detail"),
    path(
        "alvaras/pedidos/<int:permit_request_id>/<slug:permit_action>/",
        views.request_action,
        name="request_action",
    ),
    path("staff/alvaras/", views.staff_list, name="staff_list"),
    path("staff/alvaras/indicadores/", views.staff_figures, name="staff_figures"),
    path("staff/alvaras/<int:permit_request_id>/", views.staff_detail, name="staff_detail"),
    path(
        "staff/alvaras/<int:permit_request_id>/<slug:permit_action>/", views.staff_action, name="staff_action"
    ),
    path("admin-municipal/alvaras/", views.admin_home, name="admin_home"),
]
