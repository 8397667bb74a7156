"""Provisioning step: seed a new municipality's org chart (runs inside its schema)."""

from typing import Any

from .models import OrgUnit
from .services import org_unit_ensure


def org_chart_seed(*, municipality: Any, spec: Any) -> list[OrgUnit]:
    created: dict[str, OrgUnit] = {}
    for unit in spec.org_chart:
        parent = created.get(unit.parent) if unit.parent else None
        if unit.parent and parent is None:
            parent = OrgUnit.objects.get(acronym=unit.parent)
        created[unit.acronym] = org_unit_ensure(
            code=unit.code, acronym=unit.acronym, name=unit.name, kind=unit.kind, parent=parent
        )
    return list(created.values())
