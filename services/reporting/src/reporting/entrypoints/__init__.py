"""Ways into the reporting service: its HTTP API and its Kafka workers."""
