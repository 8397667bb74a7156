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
    path(
        "staff/alvaras/<int:permit_request_id>/arquivos/<int:request_file_id>/classificar/",
        views.staff_file_classify,
        name="staff_file_classify",
    ),
    path("admin-municipal/alvaras/", views.admin_home, name="admin_home"),
    path(
        "admin-municipal/alvaras/tipos/<int:permit_kind_id>/", views.admin_kind_edit, name="admin_kind_edit"
    ),
    path(
        "admin-municipal/alvaras/tipos/<int:permit_kind_id>/documentos/novo/",
        views.admin_item_new,
        name="admin_item_new",
    ),
    path(
        "admin-municipal/alvaras/tipos/<int:permit_kind_id>/documentos/<int:checklist_item_id>/",
        views.admin_item_edit,
        name="admin_item_edit",
    ),
    path(
        "admin-municipal/alvaras/tipos/<int:permit_kind_id>/documentos/<int:checklist_item_id>/<slug:item_action>/",
        views.admin_item_action,
        name="admin_item_action",
    ),
    path(
        "admin-municipal/alvaras/regras/<int:routing_rule_id>/", views.admin_rule_edit, name="admin_rule_edit"
    ),
    path(
        "admin-municipal/alvaras/regras/<int:routing_rule_id>/publicar/",
        views.admin_rule_publish,
        name="admin_rule_publish",
    ),
]
