"""Ways into the inventory service: its HTTP API."""
