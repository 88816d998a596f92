"""Adapters: the compliance service's connections to the outside world."""
