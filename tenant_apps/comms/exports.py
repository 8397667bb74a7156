"""The acknowledgement list of a circular as CSV and PDF (for the sender unit)."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Circular
from .selectors import circular_receipt_counts, circular_receipt_list


def _moment(value: object) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""  # type: ignore[arg-type]


def _state(receipt: object) -> str:
    if getattr(receipt, "acknowledged_at", None):
        return _("Ciente")
    if getattr(receipt, "opened_at", None):
        return _("Só abriu")
    return _("Não abriu")


def circular_receipts_csv(*, circular: Circular, state: str = "") -> str:
    """One line per recipient: name, e-mail, situation, opened at, acknowledged at, last reminder."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [_("Nome"), _("E-mail"), _("Situação"), _("Aberta em"), _("Ciente em"), _("Último lembrete")]
    )
    for receipt in circular_receipt_list(circular=circular, state=state).iterator(chunk_size=2000):
        writer.writerow(
            [
                receipt.user.full_name,
                receipt.user.email,
                _state(receipt),
                _moment(receipt.opened_at),
                _moment(receipt.acknowledged_at),
                _moment(receipt.reminded_at),
            ]
        )
    return out.getvalue()


def circular_receipts_pdf(*, circular: Circular) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    rows = [
        (r.user.full_name, r.user.email, _state(r), _moment(r.opened_at), _moment(r.acknowledged_at))
        for r in circular_receipt_list(circular=circular)
    ]
    with translation.override("pt-br"):
        html = render_to_string(
            "comms/receipts_pdf.html",
            {
                "circular": circular,
                "rows": rows,
                "counts": circular_receipt_counts(circular=circular),
                "generated_at": _moment(timezone.now()),
            },
        )
    pdf = weasyprint.HTML(
        string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}), base_url=None
    ).write_pdf()
    return bytes(pdf or b"")
