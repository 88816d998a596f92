"""One router per Metrc resource family."""
