"""The reporting service layer: handlers that take commands and consumed events and reach
storage through ports (``ports``), for the consumers and the HTTP API alike.

Modules:
    commands       Query and command types (SiteScope, the queries, consumed messages).
    ports          The unit-of-work protocols and repositories.
    event_mapping  Inventory events -> the domain's BatchChange.
    projections    Consumer handlers: fold batches of events into the read models.
    reports        Query handlers, one per report, each with its "as of" time.
    csv_export     CSV of every report.
    rebuild        Start a rebuild, swap it in, drop retired generations.
    errors         BatchNotFoundError, SiteAccessDeniedError.
"""
