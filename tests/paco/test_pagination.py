"""paco.pagination: the keyset pages of every list API walk the whole list once, in order."""

from __future__ import annotations

from paco.pagination import keyset_page
from tenant_apps.accounts.models import User
from tenant_apps.org.models import Membership, OrgUnit
from tests.factories import MembershipFactory, OrgUnitFactory


def walk(rows, **options) -> list[int]:
    seen: list[int] = []
    cursor = ""
    while True:
        page = keyset_page(rows, cursor=cursor, limit=2, **options)
        seen += [row.pk for row in page.results]
        if page.next is None:
            return seen
        cursor = page.next


def test_pages_by_a_text_key_ascending_with_ties_broken_by_id(in_aracaju):
    units = [OrgUnitFactory(name="Mesmo nome") for _ in range(3)] + [OrgUnitFactory(name="Antes")]
    rows = OrgUnit.objects.filter(pk__in=[unit.pk for unit in units])

    assert walk(rows, key="name", descending=False) == [units[3].pk, units[0].pk, units[1].pk, units[2].pk]


def test_pages_by_a_moment_across_a_relation_newest_first(in_aracaju):
    memberships = [MembershipFactory() for _ in range(5)]
    rows = Membership.objects.filter(pk__in=[m.pk for m in memberships])
    newest_first = [m.pk for m in sorted(memberships, key=lambda m: (m.user.created_at, m.pk), reverse=True)]

    assert walk(rows, key="user__created_at") == newest_first


def test_an_unreadable_cursor_is_the_first_page(in_aracaju):
    rows = User.objects.order_by("-created_at", "-id")

    first = keyset_page(rows, key="created_at", limit=3)
    for garbage in ("", "nada", "W10", "WyJ4IiwgMV0"):  # "", junk, [], ["x", 1]
        assert keyset_page(rows, key="created_at", cursor=garbage, limit=3) == first
