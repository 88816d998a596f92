"""A sent manifest as a printable document: the HTML page and a one-page PDF with the same lines.

Metrc's PDF endpoint answers JSON with the file in base64 (METRC.md 4.11); the document's content
is ours: shipper, transporter, and per delivery the recipient, times, route and every package.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from metrc_sandbox.jsonio import decimal_text
from metrc_sandbox.model import Delivery, Transfer
from metrc_sandbox.store import SandboxState


def manifest_lines(transfer: Transfer, state: SandboxState) -> list[str]:
    shipper = state.facility(transfer.facility_id)
    transport = transfer.transport
    lines = [
        f"Manifest {transfer.manifest_number}",
        f"Shipper: {shipper.name} ({shipper.license_number})",
        f"Driver: {transport.get('DriverName') or '-'}"
        f" ({transport.get('DriverOccupationalLicenseNumber') or '-'})",
        f"Vehicle: {transport.get('VehicleMake') or '-'} {transport.get('VehicleModel') or ''}"
        f" plate {transport.get('VehicleLicensePlateNumber') or '-'}",
    ]
    for delivery_id in transfer.delivery_ids:
        delivery = state.deliveries.get(delivery_id)
        assert delivery is not None
        lines.extend(_delivery_lines(delivery, state))
    return lines


def _delivery_lines(delivery: Delivery, state: SandboxState) -> list[str]:
    recipient = state.facility(delivery.recipient_facility_id)
    lines = [
        f"Delivery {delivery.delivery_number}: {recipient.name} ({recipient.license_number})",
        f"Type: {delivery.transfer_type}",
        f"Departure (est.): {delivery.estimated_departure}",
        f"Arrival (est.): {delivery.estimated_arrival}",
        f"Route: {delivery.planned_route}",
    ]
    for entry in delivery.packages:
        package = state.packages.get(entry.package_id)
        assert package is not None
        item = state.items.get(package.item_id)
        lines.append(
            f"  {package.label}  {item.name if item else '?'}  "
            f"{decimal_text(entry.shipped_quantity)} {entry.shipped_unit_of_measure}  "
            f"{entry.state}"
        )
    return lines


def manifest_html(transfer: Transfer, state: SandboxState) -> str:
    lines = manifest_lines(transfer, state)
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    title = html.escape(lines[0])
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    )


def _pdf_text(line: str) -> str:
    printable = line.encode("latin-1", "replace").decode("latin-1")
    return printable.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def manifest_pdf(transfer: Transfer, state: SandboxState) -> bytes:
    """A valid one-page PDF (Helvetica, one text line per manifest line)."""
    text = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
    text += [f"({_pdf_text(line)}) Tj T*" for line in manifest_lines(transfer, state)]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def manifest_pdf_document(transfer: Transfer, state: SandboxState) -> dict[str, Any]:
    return {
        "FileContents": base64.b64encode(manifest_pdf(transfer, state)).decode("ascii"),
        "ContentType": "application/pdf",
        "FileDownloadName": f"Manifest-{transfer.manifest_number}.pdf",
        "HttpStatusCode": 200,
    }
