"""A batch made from other batches (intake with a ``BATCHES`` package source): the quantities
drawn from the source batches, in the intake's transaction.

Before the new batch is built, :func:`lock_ingredients` locks the source batches (in id order,
like bulk actions: no deadlock) and completes the source with what each was at the intake (its
package tag and unit), so the new batch records them and its event carries them. After the
domain accepted the new batch, :func:`draw_ingredients` takes each quantity out of its source:
CONSUMPTION movements referencing the new batch, an audit row and an
``inventory.batch.consumed`` event per source. Any refusal names the ingredient
(``details.field``) and leaves every batch as it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from inventory.domain import (
    Batch,
    BatchNotFoundError,
    DomainError,
    OperationResult,
    PackageSource,
    PackageSourceKind,
    ValidationError,
)
from inventory.service_layer.batch_operations import Operation, operate
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.records import BatchRecord

__all__ = ["Ingredients", "draw_ingredients", "lock_ingredients"]

Ingredients = dict[str, BatchRecord]
"""The locked source batches by id."""

_FIELD = "package.source.ingredients"


async def lock_ingredients(
    uow: UnitOfWork, caller: Caller, source: PackageSource | None, *, site_id: str
) -> tuple[PackageSource | None, Ingredients]:
    """The source completed with each ingredient's tag and unit, and the locked source
    batches (none unless the source is ``BATCHES``).

    Raises:
        BatchNotFoundError: A source batch does not exist, or its site is not the caller's.
        ValidationError: A source batch belongs to another site.
    """
    if source is None or source.kind is not PackageSourceKind.BATCHES:
        return source, {}
    ids = sorted({UUID(i.batch_id) for i in source.ingredients})
    records = await uow.batches.lock_many(ids)
    completed = []
    for n, ingredient in enumerate(source.ingredients):
        record = records.get(str(UUID(ingredient.batch_id)))
        if record is None or not caller.can_access_site(record.facts.site.id):
            raise BatchNotFoundError(ingredient.batch_id).concerning(
                f"{_FIELD}.{n}.batchId", "Source batch"
            )
        if record.facts.site.id != site_id:
            raise ValidationError.single(
                f"{_FIELD}.{n}.batchId",
                f"batch {record.state.details.code} is in another site; a batch is made from "
                "batches of its own site",
            )
        completed.append(
            replace(
                ingredient,
                batch_id=record.state.batch_id,
                package_tag=record.state.details.package_tag,
                unit=record.facts.unit_of_measure,
            )
        )
    return replace(source, ingredients=tuple(completed)), records


async def draw_ingredients(
    uow: UnitOfWork,
    caller: Caller,
    source: PackageSource | None,
    ingredients: Ingredients,
    *,
    into: Batch,
) -> None:
    """Take each ingredient's quantity out of its (locked) source batch into ``into``.

    Raises:
        OperationNotAllowedError, BatchClosedError: The source's status allows no drawing.
        InsufficientAvailableError: More than the source's unreserved, unheld on-hand stock.
    """
    if source is None or not ingredients:
        return
    into_code = into.details.code
    for n, ingredient in enumerate(source.ingredients):
        record = ingredients[ingredient.batch_id]
        try:
            await operate(
                uow,
                caller,
                ingredient.batch_id,
                action="CONSUMPTION",
                reason=f"drawn into batch {into_code}",
                record=record,
                operation=_consume(ingredient.quantity, into, caller.actor),
            )
        except ValidationError:
            raise
        except DomainError as error:
            raise error.concerning(
                f"{_FIELD}.{n}", f"Source batch {record.state.details.code}"
            ) from None


def _consume(quantity: Decimal, into: Batch, actor: str) -> Operation:
    def operation(batch: Batch, now: datetime) -> OperationResult:
        return batch.consume(
            quantity=quantity,
            into_batch_id=into.id,
            notes=f"into batch {into.details.code}",
            actor=actor,
            occurred_at=now,
        )

    return operation
