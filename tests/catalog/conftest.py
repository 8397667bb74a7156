"""Helpers for the Carta de Serviços admin tests: a snapshot of a service and a browser-like form reader."""

from __future__ import annotations

from html.parser import HTMLParser

from tenant_apps.catalog.models import Service


def service_snapshot(code: str) -> tuple:
    """Everything the admin can change about a service, to compare before and after."""
    service = Service.objects.select_related("unit").get(code=code)
    return (
        service.pk,
        service.code,
        service.name,
        service.description,
        service.group,
        service.unit.acronym,
        service.deadline_days,
        service.deadline_kind,
        service.is_public,
        service.is_active,
        list(
            service.fields.order_by("position", "id").values_list(
                "pk", "position", "key", "label", "kind", "is_required", "choices", "help_text"
            )
        ),
        list(
            service.required_attachments.order_by("position", "id").values_list(
                "pk", "position", "name", "description", "is_required"
            )
        ),
    )


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the page's POST form (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._in_form = attributes.get("method", "").lower() == "post" and "action" not in attributes
        if self._in_form and tag == "option" and self._select is not None and "selected" in attributes:
            self.data[self._select] = attributes.get("value", "")
        if not self._in_form or "name" not in attributes:
            return
        name = attributes["name"]
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.data[name] = attributes.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attributes.get("value", "")
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self.data[self._textarea].startswith("\n"):
                self.data[self._textarea] = self.data[self._textarea][1:]  # as browsers do
            self._textarea = None


def form_data(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return reader.data
