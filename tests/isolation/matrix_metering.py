"""Isolation-harness entries of one module (merged by tests/isolation/test_isolation.py).

TENANT_MATRIX / PUBLIC_MATRIX: route name -> method -> role -> status, as in test_isolation.py.
PARAMETER_FACTORIES: route parameter -> (municipality B) -> value, for the city's routes.
PUBLIC_PARAMETER_FACTORIES: route parameter -> (municipality) -> value, for the control plane's
routes (the municipality is Aracaju for the matrix, Gravataí for the cross-tenant checks).
"""

from __future__ import annotations

TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {}
PARAMETER_FACTORIES: dict[str, object] = {}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {}
