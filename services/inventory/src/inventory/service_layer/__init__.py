"""The inventory service layer: handlers that run the domain inside one unit of work each."""
