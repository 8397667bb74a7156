from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("minha-conta/guias/", views.my_guides, name="my_guides"),
    path("minha-conta/guias/<int:year>/<int:number>/", views.my_guide, name="my_guide"),
    path("staff/guias/", views.staff_guide_list, name="staff_guide_list"),
    path("staff/guias/nova/", views.staff_guide_new, name="staff_guide_new"),
    path("staff/guias/<int:year>/<int:number>/", views.staff_guide, name="staff_guide"),
    path(
        "staff/guias/<int:year>/<int:number>/devolver/", views.staff_guide_refund, name="staff_guide_refund"
    ),
    path(
        "staff/guias/<int:year>/<int:number>/baixa/",
        views.staff_guide_mark_paid,
        name="staff_guide_mark_paid",
    ),
    path(
        "staff/guias/<int:year>/<int:number>/cancelar/", views.staff_guide_cancel, name="staff_guide_cancel"
    ),
    path("admin-municipal/pix/", views.pix_settings, name="pix_settings"),
    path("admin-municipal/pix/segredo/", views.pix_secret_rotate, name="pix_secret_rotate"),
    path("admin-municipal/pix/psp/", views.psp_settings, name="psp_settings"),
    path("admin-municipal/pix/psp/webhook/", views.psp_webhook_register_view, name="psp_webhook_register"),
]
