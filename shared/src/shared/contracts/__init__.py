"""HTTP contracts between Canopy's services and the gateway: pydantic models and route tables.

One module per service API (``shared.contracts.inventory``, ``shared.contracts.compliance``); :mod:`shared.contracts.types`
holds the value types they share (decimal strings, aware UTC times, camelCase models),
:mod:`shared.contracts.routes` the route table's row and the retry header, and
:mod:`shared.contracts.inventory_enums` the inventory's vocabulary (plain enums).

The package imports none of them itself, so that the inventory domain can take its vocabulary
from here without loading pydantic.
"""
