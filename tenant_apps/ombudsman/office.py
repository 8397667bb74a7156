"""Which unit is the ombudsman's office, and whether a person works in it (reads of the settings)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.viewer import Viewer
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import user_unit_ids

from . import deadlines
from .models import OmbudsmanSettings


def ombudsman_unit(rules: OmbudsmanSettings | None = None) -> OrgUnit:
    """The office that sees protected identities and gives final answers (OmbudsmanSettings)."""
    rules = rules or deadlines.settings_default()
    if rules.ombudsman_unit is None:
        raise ApplicationError(_("A ouvidoria ainda não foi configurada neste município."))
    return rules.ombudsman_unit


def user_is_ombudsman(user: Viewer, rules: OmbudsmanSettings | None = None) -> bool:
    try:
        return ombudsman_unit(rules).pk in user_unit_ids(user)
    except ApplicationError:
        return False
