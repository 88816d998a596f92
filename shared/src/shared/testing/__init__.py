"""Test helpers shared by every service's test suite: real Kafka and PostgreSQL fixtures."""
