from django.db.models import QuerySet

from .models import Notification


def notification_list_for_subject(*, subject_kind: str, subject_id: int) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(subject_kind=subject_kind, subject_id=subject_id)
        .select_related("recipient", "fallback_of")
        .order_by("created_at", "id")
    )
