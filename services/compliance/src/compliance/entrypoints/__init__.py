"""Ways into the compliance service: its HTTP API and its Kafka workers."""
