"""Ways into the gateway service: its HTTP API."""
