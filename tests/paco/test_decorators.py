"""The kernel's access decorators name the account kinds without importing accounts: keep them equal."""

from __future__ import annotations

from paco.decorators import CITIZEN_KIND, STAFF_KIND, SUPPORT_KIND
from tenant_apps.accounts.enums import UserKind


def test_the_kernel_names_the_account_kinds_of_accounts():
    assert (CITIZEN_KIND, STAFF_KIND, SUPPORT_KIND) == (
        UserKind.CITIZEN.value,
        UserKind.STAFF.value,
        UserKind.SUPPORT.value,
    )
