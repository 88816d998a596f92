"""HTTP routers of the inventory API, one module per area."""
