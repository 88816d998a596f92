"""Talking to the services behind the gateway: the HTTP clients and the forwarder."""
