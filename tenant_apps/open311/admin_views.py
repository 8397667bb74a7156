"""The municipal admin publishes a service on Open311, or withdraws it, from the service's page in
the Carta de Serviços (`/admin-municipal/servicos/<id>/`, whose Open311 panel is
`templatetags/open311_admin.py`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError
from tenant_apps.catalog.selectors import service_get_for_admin

from .services import service_publish


class PublicationForm(forms.Form):
    """The panel's two buttons send `action`; nothing else is typed."""

    action = forms.ChoiceField(
        choices=[("publish", gettext_lazy("Publicar")), ("unpublish", gettext_lazy("Deixar de publicar"))]
    )


@require_POST
@municipal_admin_required
def service_publication(request: HttpRequest, service_id: int) -> HttpResponse:
    service = service_get_for_admin(service_id=service_id)
    if service is None:
        raise Http404
    form = PublicationForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Ação inválida."))
    published = form.cleaned_data["action"] == "publish"
    try:
        service_publish(service=service, published=published)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Serviço publicado no Open311.") if published else _("Serviço retirado do Open311.")
        )
    return redirect(reverse("catalog:admin_service_edit", args=[service.pk]) + "#open311")
