"""metrc_sandbox."""
