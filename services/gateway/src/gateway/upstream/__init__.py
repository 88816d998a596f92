"""Forwarding to the services behind the gateway: HTTP clients, the forwarder, route tables."""
