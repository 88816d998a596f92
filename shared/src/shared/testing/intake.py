"""The intake request the platform's tests send through the gateway: a batch of Blue Dream 3.5g
flower from Green Valley Farms, 100 grams at 2.50 each into the Vault, on NET 30. A test passes
only what it is about (a lot, a location, a code, a quantity) and keeps the rest."""

from __future__ import annotations

from typing import Any

__all__ = ["intake_body"]


def intake_body(site_id: str, **fields: Any) -> dict[str, Any]:
    """The camelCase body of ``POST /api/v1/batches/intake`` into ``site_id``; ``fields``
    replace the top-level fields of the same name (``lot``, ``location``, ``code`` ...)."""
    body: dict[str, Any] = {
        "siteId": site_id,
        "vendor": {"name": "Green Valley Farms"},
        "brand": {"name": "Valley Gold"},
        "product": {
            "name": "Blue Dream 3.5g",
            "category": "Flower",
            "strain": "Blue Dream",
            "unitOfMeasure": "Grams",
        },
        "lot": {"code": "GV-1"},
        "location": {"zone": "Vault"},
        "quantity": "100.0000",
        "cogsMode": "FIXED",
        "unitCogs": "2.5000",
        "paymentTerms": "NET_30",
    }
    body.update(fields)
    return body
