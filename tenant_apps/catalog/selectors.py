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


def service_list_public_with_forms() -> QuerySet[Service]:
    """The public catalogue with each service's form and required documents (three queries)."""
    return service_list_public().prefetch_related(
        Prefetch("fields", queryset=ServiceField.objects.order_by("position", "id")),
        Prefetch("required_attachments", queryset=RequiredAttachment.objects.order_by("position", "id")),
    )


def service_list_admin() -> QuerySet[Service]:
    """Every service of the city, active or not, public or internal (municipal admin)."""
    return Service.objects.select_related("unit").order_by("name", "id")


def service_get_for_admin(*, service_id: int) -> Service | None:
    return (
        Service.objects.filter(pk=service_id)
        .select_related("unit")
        .prefetch_related(
            Prefetch("fields", queryset=ServiceField.objects.order_by("position", "id")),
            Prefetch("required_attachments", queryset=RequiredAttachment.objects.order_by("position", "id")),
        )
        .first()
    )


def service_has_cases(*, service: Service) -> bool:
    return service.cases.exists()
