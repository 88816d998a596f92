"""HTTP contracts between Canopy's services and the gateway: pydantic models and route tables.

One module per service API (``shared.contracts.inventory``, ``shared.contracts.compliance``); :mod:`shared.contracts.types`
holds the value types they share (decimal strings, aware UTC times, camelCase models),
:mod:`shared.contracts.routes` the route table's row and the retry header.
"""

from shared.contracts import compliance, inventory, routes, types

__all__ = ["compliance", "inventory", "routes", "types"]
