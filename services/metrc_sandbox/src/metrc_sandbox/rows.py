"""Write requests: the JSON-array body, per-row field parsing with Metrc's messages, all-or-nothing.

Every row is validated; failing rows are reported together (``[{"row": i, "message": ...}]``) and
nothing at all is applied if any row failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from metrc_sandbox.context import FacilityCtx
from metrc_sandbox.errors import MetrcError, RowError, RowsRejectedError, bad_request
from metrc_sandbox.jsonio import decimal_text, loads
from metrc_sandbox.seed import facility_today
from metrc_sandbox.store import Tx


class RowReader:
    """Typed access to one posted object; every problem becomes a row message, none raise."""

    def __init__(self, raw: object, ctx: FacilityCtx) -> None:
        self.ctx = ctx
        self.errors: list[str] = []
        if isinstance(raw, dict):
            # Metrc (ASP.NET) binds body fields case-insensitively.
            self._fields: dict[str, Any] = {str(k).casefold(): v for k, v in raw.items()}
        else:
            self._fields = {}
            self.fail("The submitted data is not a valid object.")

    def fail(self, message: str) -> None:
        self.errors.append(message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raw(self, name: str) -> Any:
        return self._fields.get(name.casefold())

    def has(self, name: str) -> bool:
        value = self.raw(name)
        return value is not None and value != ""

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.raw(name)
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{name} was not specified.")
            return None
        if not isinstance(value, str):
            self.fail(f"{name} is not valid.")
            return None
        return value.strip()

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(name)
        if value is None or value == "":
            if required:
                self.fail(f"{name} was not specified.")
            return None
        if isinstance(value, bool):
            self.fail(f"{name} is not a valid number.")
            return None
        try:
            number = Decimal(value) if isinstance(value, int | str) else value
        except InvalidOperation:
            number = None
        if not isinstance(number, Decimal) or not number.is_finite():
            self.fail(f"{name} is not a valid number.")
            return None
        return number

    def integer(self, name: str, *, required: bool = True) -> int | None:
        number = self.decimal(name, required=required)
        if number is None:
            return None
        if number != number.to_integral_value():
            self.fail(f"{name} must be a whole number.")
            return None
        return int(number)

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(f"{name} is not a valid boolean.")
            return False
        return value

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        """A ``YYYY-MM-DD`` (or date-time) field that is not after today at the facility."""
        parsed = self.any_date(name, required=required)
        if parsed is not None and parsed > facility_today(self.ctx.facility):
            self.fail(f"{name} {parsed.isoformat()} cannot be a future date.")
            return None
        return parsed

    def any_date(self, name: str, *, required: bool = False) -> dt.date | None:
        """A date that may lie in the future (expiration, sell-by, use-by)."""
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            return (
                dt.date.fromisoformat(raw)
                if len(raw) == 10
                else dt.datetime.fromisoformat(raw).date()
            )
        except ValueError:
            self.fail(f"{name} {raw} is not a valid date.")
            return None

    def datetime_text(self, name: str, *, required: bool = True) -> str | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            dt.datetime.fromisoformat(raw)
        except ValueError:
            self.fail(f"{name} {raw} is not a valid date and time.")
            return None
        return raw

    def objects(self, name: str, *, required: bool = True) -> list[dict[str, Any]] | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.fail(f"{name} was not specified.")
            return None
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            self.fail(f"{name} is not a valid list.")
            return None
        return value

    def positive(self, name: str, *, allow_zero: bool = False) -> Decimal | None:
        quantity = self.decimal(name)
        if quantity is None:
            return None
        if quantity < 0:
            self.fail(f"{name} cannot be negative ({decimal_text(quantity)}).")
            return None
        if quantity == 0 and not allow_zero:
            self.fail(f"{name} must be greater than 0.")
            return None
        return quantity

    def nested(self, raw: dict[str, Any]) -> RowReader:
        """A reader for a sub-object whose messages land on this row."""
        reader = RowReader(raw, self.ctx)
        reader.errors = self.errors
        return reader


RowHandler = Callable[[RowReader, Tx], list[int]]


async def read_rows(ctx: FacilityCtx) -> list[Any]:
    request = ctx.request
    content_type = request.headers.get("content-type", "")
    if "json" not in content_type.lower():
        raise MetrcError(
            415,
            f"The request entity's media type '{content_type}' is not supported for this resource.",
        )
    body = await request.body()
    try:
        rows = loads(body)
    except ValueError:
        raise bad_request("The request body is not valid JSON.") from None
    if not isinstance(rows, list):
        raise bad_request("The request body must be a JSON array of objects.")
    if not rows:
        raise bad_request("No data was submitted.")
    limit = ctx.config.max_write_objects
    if len(rows) > limit:
        raise MetrcError(
            413, f"The request contains {len(rows)} objects; no more than {limit} are allowed."
        )
    return rows


async def apply_rows(ctx: FacilityCtx, rows: list[Any], handler: RowHandler) -> list[int]:
    """Run ``handler`` over every row in one transaction; all rows apply or none do."""
    async with ctx.sandbox.lock:
        tx = Tx(ctx.state)
        errors: list[RowError] = []
        ids: list[int] = []
        for index, raw in enumerate(rows):
            reader = RowReader(raw, ctx)
            savepoint = tx.savepoint()
            row_ids = handler(reader, tx) if reader.ok else []
            if reader.errors:
                # A failed row must not leave half of itself behind for the rows after it.
                tx.rollback_to(savepoint)
                errors.extend(RowError(row=index, message=message) for message in reader.errors)
            else:
                ids.extend(row_ids)
        if errors:
            tx.rollback()
            raise RowsRejectedError(errors)
    return ids


async def write(ctx: FacilityCtx, handler: RowHandler) -> list[int]:
    return await apply_rows(ctx, await read_rows(ctx), handler)
