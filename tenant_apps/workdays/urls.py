"""The municipal admin's holidays, mounted at `/admin-municipal/feriados/`."""

from django.urls import path

from . import views

app_name = "workdays"

urlpatterns = [
    path("", views.admin_holiday_list, name="admin_holiday_list"),
    path("novo/", views.admin_holiday_create, name="admin_holiday_create"),
    path("<int:holiday_id>/remover/", views.admin_holiday_delete, name="admin_holiday_delete"),
]
