"""Demo data of gov.br sign-in (`paco_demo.seeding`): each demo city's client points at the
stand-in provider served by the demo itself on the control-plane host under /demo-govbr/
(GOVBR_DEMO_PROVIDER, `make demo`).
The demo CPF 529.982.247-25 is the demo citizen's: signing in with it offers to link the existing
account (password `CITIZEN_PASSWORD`); 111.444.777-35 is a person new to the city.
"""

from __future__ import annotations

from django.conf import settings

from paco_demo.govbr_views import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, demo_issuer
from tenants.models import Municipality

from .services import govbr_client_save


def seed(*, municipality: Municipality) -> None:
    if not settings.GOVBR_DEMO_PROVIDER:
        return  # only where the stand-in is served (`make demo`); never point a real city at it
    govbr_client_save(
        enabled=True,
        issuer=demo_issuer(settings.CONTROL_PLANE_BASE_URL),
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
