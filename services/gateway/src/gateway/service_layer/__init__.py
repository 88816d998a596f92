"""The gateway's use cases: authenticate, log in, refresh, manage users and API keys."""
