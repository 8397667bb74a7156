"""Indicators, paper saved and open data (tenant_apps.insights)."""

from .env import env

# How often the daily aggregates are brought up to date (a divisor of 60).
INSIGHTS_AGGREGATE_MINUTES = env.int("INSIGHTS_AGGREGATE_MINUTES", default=15)
# The control plane's support console shows each city's paper saved and median days to close.
SUPPORT_CITY_FIGURES = "tenant_apps.insights.selectors.city_figures_by_schema"
