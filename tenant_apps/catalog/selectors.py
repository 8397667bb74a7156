from django.db.models import Prefetch, QuerySet

from .models import RequiredAttachment, Service, ServiceField


def service_list_public() -> QuerySet[Service]:
    return (
        Service.objects.filter(is_active=True, is_public=True)
        .select_related("unit")
        .order_by("group", "name")
    )


def service_get_with_form(*, code: str, public_only: bool = True) -> Service | None:
    services = (
        Service.objects.filter(is_active=True, code=code)
        .select_related("unit")
        .prefetch_related(
            Prefetch("fields", queryset=ServiceField.objects.order_by("position", "id")),
            Prefetch("required_attachments", queryset=RequiredAttachment.objects.order_by("position", "id")),
        )
    )
    if public_only:
        services = services.filter(is_public=True)
    return services.first()
