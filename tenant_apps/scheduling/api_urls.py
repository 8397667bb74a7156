"""`/api/v1/scheduling/...`"""

from django.urls import path

from . import apis

app_name = "scheduling_api"

urlpatterns = [
    path("agendas/", apis.AgendaListApi.as_view(), name="agenda_list"),
    path("agendas/<slug:agenda_code>/slots/", apis.SlotListApi.as_view(), name="slot_list"),
    path("bookings/", apis.BookingCollectionApi.as_view(), name="booking_list"),
    path("bookings/<slug:appointment_code>/", apis.BookingDetailApi.as_view(), name="booking_detail"),
    path("bookings/<slug:appointment_code>/cancel/", apis.BookingCancelApi.as_view(), name="booking_cancel"),
    path(
        "bookings/<slug:appointment_code>/reschedule/",
        apis.BookingRescheduleApi.as_view(),
        name="booking_reschedule",
    ),
    path("agenda/", apis.StaffAgendaApi.as_view(), name="staff_agenda"),
]
