"""The gateway's adapters: its identity database, password hashing, tokens, upstream HTTP."""
