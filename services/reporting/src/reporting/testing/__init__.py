"""Test support of the reporting service: the read models in memory (``memory``) and random,
consistent inventory histories as real events (``inventory_history``). Never imported by the
service itself."""
