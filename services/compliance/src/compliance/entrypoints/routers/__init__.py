"""The compliance API's routes, by what they serve: settings (jurisdiction rules, Metrc keys),
pushes (the guide's manual operations) and reads (links, the ledger, the sync log, the feed,
health)."""
