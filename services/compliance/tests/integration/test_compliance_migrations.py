"""Revision 0011 down and up again: a settled sale is left ACCEPTED (the code before it cannot
read SETTLED), and the open queue's index, rebuilt concurrently each way, ends valid with the
meaning of "not done" of its revision; and 0011 runs again to the end after its concurrent part
failed (what it did before that part is committed, its version row is not)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import asyncpg
from alembic import command
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.domain import ManifestSettlement, Submission, TransferOut
from compliance.testing import LICENSE, START
from shared.database import Database
from shared.migrations import alembic_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"


async def _indexes(dsn: str) -> dict[str, tuple[bool, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT c.relname, i.indisvalid, pg_get_expr(i.indpred, i.indrelid) AS pred"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 'submissions'::regclass"
            " AND c.relname = ANY(ARRAY['submissions_open', 'submissions_open_next',"
            " 'submissions_settled_sales'])"
        )
    finally:
        await conn.close()
    return {r["relname"]: (r["indisvalid"], r["pred"]) for r in rows}


async def _state_of(dsn: str, submission_id: object) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        state: str = await conn.fetchval(
            "SELECT state FROM submissions WHERE id = $1", submission_id
        )
    finally:
        await conn.close()
    return state


async def test_a_settled_sale_goes_down_accepted_and_the_indexes_come_back_valid(
    database_url: str,
) -> None:
    database = Database(database_url, name="compliance-migration-test", min_size=1, max_size=2)
    try:
        async with ComplianceUnitOfWork(database) as uow:
            sale = Submission.new(
                id=uuid4(), sequence=await uow.submissions.next_sequence(),
                license_number=LICENSE, site_id=uuid4(), batch_id=uuid4(), now=START, actor="u",
                intent=TransferOut(
                    quantity=Decimal(5), reference_type="TRANSFER", reference_id=str(uuid4())
                ),
            )  # fmt: skip
            await uow.submissions.add(sale)
            assert isinstance(sale.intent, TransferOut)
            assert sale.intent.transfer_id is not None
            settlement = ManifestSettlement(
                transfer_id=sale.intent.transfer_id, manifest_number="0000000042",
                accepted=False, received_quantity=None,
            )  # fmt: skip
            await uow.submissions.save(sale.settle_by_manifest(START, settlement))
            await uow.commit()
    finally:
        await database.close()
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    config = alembic_config(MIGRATIONS, database_url)

    await asyncio.to_thread(command.downgrade, config, "0010")
    assert await _state_of(dsn, sale.id) == "ACCEPTED"
    down = await _indexes(dsn)
    assert set(down) == {"submissions_open"}
    assert down["submissions_open"][0]
    assert "SETTLED" not in down["submissions_open"][1]

    await asyncio.to_thread(command.upgrade, config, "head")
    up = await _indexes(dsn)
    assert set(up) == {"submissions_open", "submissions_settled_sales"}
    assert all(valid for valid, _ in up.values())
    assert "SETTLED" in up["submissions_open"][1]


async def test_0011_runs_again_to_the_end_after_its_concurrent_part_failed(
    database_url: str,
) -> None:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    config = alembic_config(MIGRATIONS, database_url)
    await asyncio.to_thread(command.downgrade, config, "0011")
    # The autocommit block commits what came before it; the version row is written only once
    # upgrade() returns. So after a failed concurrent build the database holds 0011's columns
    # (and maybe its indexes) under the version 0010: 0011 then runs again from its start.
    await asyncio.to_thread(command.stamp, config, "0010")
    await asyncio.to_thread(command.upgrade, config, "head")
    up = await _indexes(dsn)
    assert set(up) == {"submissions_open", "submissions_settled_sales"}
    assert all(valid for valid, _ in up.values())
    assert "SETTLED" in up["submissions_open"][1]
