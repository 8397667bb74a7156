"""The municipal admin's branding page, on the city's own host (/admin-municipal/marca/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError

from .branding import MINIMUM_CONTRAST
from .forms import BrandingForm
from .services import municipality_branding_update


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def branding_edit(request: HttpRequest) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    initial = {
        "display_name": municipality.display_name,
        "primary_color": municipality.primary_color,
        "secondary_color": municipality.secondary_color,
    }
    bound = request.method == "POST"
    form = BrandingForm(request.POST if bound else None, request.FILES if bound else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("coat_of_arms")
        try:
            image = upload.read() if upload else None
            municipality_branding_update(
                municipality=municipality,
                display_name=data["display_name"],
                primary_color=data["primary_color"],
                secondary_color=data["secondary_color"],
                coat_of_arms=image,
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Identidade visual atualizada."))
            return redirect("branding:edit")
    status = 400 if request.method == "POST" else 200
    context = {
        "title": _("Identidade visual"),
        "form": form,
        "minimum_contrast": str(MINIMUM_CONTRAST).replace(".", ","),
    }
    return render(request, "tenants/branding.html", context, status=status)
