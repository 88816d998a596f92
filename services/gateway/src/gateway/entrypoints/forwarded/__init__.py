"""The public routes that forward to the services behind the gateway: one table per service,
generated from its contract, all served by one forwarding mechanism (``routes.py``)."""
