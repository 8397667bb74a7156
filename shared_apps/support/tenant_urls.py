"""Support sessions on a city's host: entering, leaving, and the admins' page of support access."""

from django.urls import path

from . import tenant_views

app_name = "support_tenant"

urlpatterns = [
    path("suporte-paco/entrar/<str:token>/", tenant_views.session_enter, name="enter"),
    path("suporte-paco/encerrar/", tenant_views.session_end, name="end"),
    path("admin-municipal/suporte/", tenant_views.admin_page, name="admin_page"),
    path("admin-municipal/suporte/politica/", tenant_views.admin_policy, name="admin_policy"),
    path(
        "admin-municipal/suporte/sessoes/<int:session_id>/", tenant_views.admin_session, name="admin_session"
    ),
    path(
        "admin-municipal/suporte/sessoes/<int:session_id>/aprovar/",
        tenant_views.admin_approve,
        name="admin_approve",
    ),
    path(
        "admin-municipal/suporte/sessoes/<int:session_id>/negar/", tenant_views.admin_deny, name="admin_deny"
    ),
    path(
        "admin-municipal/suporte/sessoes/<int:session_id>/encerrar/",
        tenant_views.admin_end,
        name="admin_end",
    ),
]
