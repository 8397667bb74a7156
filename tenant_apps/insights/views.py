"""Pages of the indicators: the manager page (with CSV per chart), the city's settings and the
annual PDFs of the ombudsman (Lei 13.460/2017, arts. 14-15) and of the LAI (Lei 12.527/2011, art. 30, III)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from paco.decorators import municipal_admin_required, staff_required
from paco.errors import ApplicationError

from . import reports, selectors, services
from .charts import chart_build, chart_names, dashboard, paper_kind_labels
from .csv_export import csv_lines
from .forms import PeriodForm, SettingsForm
from .selectors import Period, Scope


def _scope_or_404(request: HttpRequest) -> Scope:
    scope = selectors.scope_for(request.user)
    if scope is None:
        raise Http404
    return scope


def _period_and_scope(request: HttpRequest, scope: Scope) -> tuple[PeriodForm, Period, Scope, int]:
    default = selectors.period_default()
    data = request.GET if "de" in request.GET or "ate" in request.GET else None
    form = PeriodForm(
        data,
        initial={"de": default.first, "ate": default.last},
        units=selectors.scope_units(scope),
    )
    if data is None:
        return form, default, scope, 200
    if not form.is_valid():
        return form, default, scope, 400
    period = Period(form.cleaned_data["de"], form.cleaned_data["ate"])
    unit = form.cleaned_data.get("unidade")
    return form, period, selectors.scope_narrow(scope, unit.pk if unit else None), 200


@require_GET
@staff_required
def manager(request: HttpRequest) -> HttpResponse:
    """Unit managers see their units and sub-units, secretaries their secretariat, the municipal
    admin and the mayor's office the whole city."""
    scope = _scope_or_404(request)
    form, period, scope, status = _period_and_scope(request, scope)
    return render(
        request,
        "insights/manager.html",
        {
            "title": _("Indicadores"),
            "form": form,
            "scope": scope,
            "period": period,
            "previous": period.previous(),
            **dashboard(scope, period),
            "paper_labels": paper_kind_labels(),
            "query": request.GET.urlencode(),
            "is_city": scope.is_city,
            "comparison": selectors.tier_comparison(municipality=getattr(request, "tenant", None))
            if scope.is_city
            else None,
            "year": timezone.localdate().year,
        },
        status=status,
    )


@require_GET
@staff_required
def manager_csv(request: HttpRequest, chart: str) -> HttpResponse:
    scope = _scope_or_404(request)
    if chart not in chart_names():
        raise Http404
    form, period, scope, status = _period_and_scope(request, scope)
    if status != 200:
        return HttpResponse(_("Período inválido."), status=400, content_type="text/plain; charset=utf-8")
    table = chart_build(chart, scope=scope, period=period)
    response = HttpResponse(
        "".join(csv_lines(table.columns, table.rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="indicadores-{chart}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"'
    )
    return response


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def settings_page(request: HttpRequest) -> HttpResponse:
    instance = selectors.insights_settings()
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                services.insights_settings_update(
                    cost_per_page=form.cleaned_data["cost_per_page"],
                    small_cell_threshold=form.cleaned_data["small_cell_threshold"],
                    city_wide_unit_id=(
                        form.cleaned_data["city_wide_unit"].pk
                        if form.cleaned_data["city_wide_unit"]
                        else None
                    ),
                    shares_comparison=form.cleaned_data["shares_comparison"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Configuração dos indicadores salva."))
                return redirect("insights:settings")
        status = 400
    else:
        form = SettingsForm(instance=instance)
    return render(
        request,
        "insights/settings.html",
        {"title": _("Configuração dos indicadores"), "form": form},
        status=status,
    )


def _year(value: int) -> int:
    if not 2000 <= value <= timezone.localdate().year:
        raise Http404
    return value


@require_GET
@staff_required
def annual_report(request: HttpRequest, year: int, report: str) -> HttpResponse:
    """The year's PDF, for the whole city: the admin and the mayor's office only."""
    scope = _scope_or_404(request)
    if not scope.is_city or report not in reports.REPORTS:
        raise Http404
    pdf = reports.report_pdf(report=report, year=_year(year), municipality=getattr(request, "tenant", None))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{reports.REPORTS[report]["file"]}-{year}.pdf"'
    return response
