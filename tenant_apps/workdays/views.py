"""The municipal admin's holiday page (`/admin-municipal/feriados/`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError
from paco.schemas import current_tenant

from .forms import MunicipalHolidayForm
from .models import MunicipalHoliday
from .selectors import holiday_list
from .services import municipal_holiday_create, municipal_holiday_delete

MIN_YEAR, MAX_YEAR = 1990, 2100


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


def _list_url(year: int) -> str:
    return f"{reverse('workdays:admin_holiday_list')}?ano={year}"


def _list_page(
    request: HttpRequest, *, year: int, form: MunicipalHolidayForm, status: int = 200
) -> HttpResponse:
    context = {
        "title": _("Feriados"),
        "year": year,
        "previous_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "holidays": holiday_list(year=year),
        "state": getattr(current_tenant(), "state", ""),
        "form": form,
    }
    return render(request, "workdays/admin_holiday_list.html", context, status=status)


@require_GET
@municipal_admin_required
def admin_holiday_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, year=_year(request.GET.get("ano")), form=MunicipalHolidayForm())


@require_POST
@municipal_admin_required
def admin_holiday_create(request: HttpRequest) -> HttpResponse:
    form = MunicipalHolidayForm(request.POST)
    if form.is_valid():
        try:
            holiday = municipal_holiday_create(date=form.cleaned_data["date"], name=form.cleaned_data["name"])
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Feriado municipal adicionado: %(date)s, %(name)s.")
                % {"date": f"{holiday.date:%d/%m/%Y}", "name": holiday.name},
            )
            return HttpResponseRedirect(_list_url(holiday.date.year))
    date = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    year = date.year if date is not None else _year(request.POST.get("ano"))
    return _list_page(request, year=year, form=form, status=400)


@require_POST
@municipal_admin_required
def admin_holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = MunicipalHoliday.objects.filter(pk=holiday_id).first()
    if holiday is None:
        raise Http404
    municipal_holiday_delete(holiday=holiday)
    messages.success(
        request,
        _("Feriado municipal removido: %(date)s, %(name)s.")
        % {"date": f"{holiday.date:%d/%m/%Y}", "name": holiday.name},
    )
    return HttpResponseRedirect(_list_url(holiday.date.year))
