"""The pytest plugin loaded by the root configuration (``-p shared.testing.plugin``)."""
