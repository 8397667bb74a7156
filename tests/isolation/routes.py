"""Every route of a URLconf, so the isolation harness covers new modules without being told."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern itself when unnamed
    pattern: str  # e.g. "staff/entrar/" or "casos/<int:pk>/"
    parameters: tuple[str, ...]


def routes(urlconf: str) -> list[Route]:
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                nested = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), nested)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                converters = dict(getattr(resolver.pattern, "converters", {}))
                converters.update(getattr(entry.pattern, "converters", {}))
                name = f"{namespace}{entry.name}" if entry.name else pattern
                found.append(Route(name=name, pattern=pattern, parameters=tuple(sorted(converters))))

    walk(get_resolver(urlconf), "", "")
    return found


def path_for(route: Route, values: dict[str, object]) -> str:
    """Fill a route's parameters (`<int:pk>` style patterns only)."""
    import re

    def substitute(match: re.Match[str]) -> str:
        name = match.group("name")
        return str(values[name])

    path = re.sub(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>", substitute, route.pattern)
    if "^" in path or "(?P" in path:
        raise ValueError(f"regex routes are not supported by the harness: {route.pattern}")
    return "/" + path
