"""Reference data: sites, locations, vendors, brands, products and lots.

``find_or_create_*`` insert with ON CONFLICT DO NOTHING and read back, so two intakes naming
the same new vendor at the same moment end up with one vendor row, not an error.
"""

# SQL here is assembled only from constants of this module (column lists, whitelisted sort
# columns); every value is a bound parameter ($n). Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from shared.database import Connection

from inventory.adapters.batch_queries import contains_pattern
from inventory.service_layer.ports import NameKey, ProductFilter

__all__ = ["ReferenceStore", "UniqueViolationError", "location_label"]

Row = Any
"""An ``asyncpg.Record`` (column access by name)."""

UniqueViolationError = asyncpg.UniqueViolationError

_SITE_COLUMNS = "id, name, license_number, state, created_at"
_LOCATION_COLUMNS = "id, site_id, zone, rack, shelf, bin, label, created_at"
_VENDOR_COLUMNS = "id, name, is_seller, license_number, created_at"
_BRAND_COLUMNS = "id, name, vendor_id, created_at"
_PRODUCT_COLUMNS = (
    "p.id, p.name, p.category, p.subcategory, p.strain, p.brand_id, p.unit_of_measure, p.sku,"
    " p.created_at, b.name AS brand_name"
)
_LOT_COLUMNS = "id, vendor_id, code, created_at"


def _name_page(search: str | None, after: NameKey | None, limit: int) -> tuple[Any, ...]:
    """$1 to $4 of a page by name: the search pattern, where the last page ended, the limit."""
    name, last_id = after or (None, None)
    return (contains_pattern(search) if search else None, name, last_id, limit)


def location_label(zone: str, rack: str | None, shelf: str | None, bin_: str | None) -> str:
    """zone/rack/shelf/bin, leaving out the parts not given."""
    return "/".join(part for part in (zone, rack, shelf, bin_) if part)


class ReferenceStore:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # ------------------------------------------------------------------ sites

    async def sites(self, site_ids: Sequence[str] | None) -> list[Row]:
        """All sites, or only those in ``site_ids``."""
        if site_ids is None:
            return list(
                await self._conn.fetch(f"SELECT {_SITE_COLUMNS} FROM site ORDER BY name, id")
            )
        return list(
            await self._conn.fetch(
                f"SELECT {_SITE_COLUMNS} FROM site WHERE id::text = ANY($1::text[])"
                " ORDER BY name, id",
                list(site_ids),
            )
        )

    async def site(self, site_id: UUID) -> Row | None:
        return await self._conn.fetchrow(f"SELECT {_SITE_COLUMNS} FROM site WHERE id = $1", site_id)

    async def create_site(self, *, name: str, license_number: str, state: str) -> Row:
        return await self._insert(
            "INSERT INTO site (id, name, license_number, state) VALUES ($1, $2, $3, $4)",
            _SITE_COLUMNS,
            name,
            license_number,
            state,
        )

    # -------------------------------------------------------------- locations

    async def locations(self, site_id: UUID) -> list[Row]:
        return list(
            await self._conn.fetch(
                f"SELECT {_LOCATION_COLUMNS} FROM location WHERE site_id = $1 ORDER BY label, id",
                site_id,
            )
        )

    async def location(self, location_id: UUID) -> Row | None:
        return await self._conn.fetchrow(
            f"SELECT {_LOCATION_COLUMNS} FROM location WHERE id = $1", location_id
        )

    async def create_location(
        self, *, site_id: UUID, zone: str, rack: str | None, shelf: str | None, bin_: str | None
    ) -> Row:
        return await self._insert_location("", site_id, zone, rack, shelf, bin_)

    async def find_or_create_location(
        self, *, site_id: UUID, zone: str, rack: str | None, shelf: str | None, bin_: str | None
    ) -> Row:
        created = await self._insert_location(
            " ON CONFLICT ON CONSTRAINT location_place_unique DO NOTHING",
            site_id,
            zone,
            rack,
            shelf,
            bin_,
        )
        if created is not None:
            return created
        return await self._conn.fetchrow(
            f"SELECT {_LOCATION_COLUMNS} FROM location WHERE site_id = $1 AND zone = $2"
            " AND rack IS NOT DISTINCT FROM $3 AND shelf IS NOT DISTINCT FROM $4"
            " AND bin IS NOT DISTINCT FROM $5",
            site_id,
            zone,
            rack,
            shelf,
            bin_,
        )

    async def _insert_location(
        self,
        conflict: str,
        site_id: UUID,
        zone: str,
        rack: str | None,
        shelf: str | None,
        bin_: str | None,
    ) -> Row:
        return await self._insert(
            "INSERT INTO location (id, site_id, zone, rack, shelf, bin, label)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)" + conflict,
            _LOCATION_COLUMNS,
            site_id,
            zone,
            rack,
            shelf,
            bin_,
            location_label(zone, rack, shelf, bin_),
        )

    async def _insert(self, insert: str, returning: str, *values: object) -> Row:
        """Run ``insert`` for a new row (its new id is $1, then ``values``); the columns
        ``returning`` of the row, or None where an ON CONFLICT clause skipped it."""
        return await self._conn.fetchrow(f"{insert} RETURNING {returning}", uuid4(), *values)

    async def _page_by_name(
        self, table: str, columns: str, search: str | None, after: NameKey | None, limit: int
    ) -> list[Row]:
        """A page of a table by name; ``search`` matches part of the name literally."""
        return list(
            await self._conn.fetch(
                f"SELECT {columns}, lower(name) AS sort_key FROM {table}"
                " WHERE ($1::text IS NULL OR name ILIKE $1)"
                " AND ($2::text IS NULL OR (lower(name), id) > ($2, $3::uuid))"
                " ORDER BY lower(name), id LIMIT $4",
                *_name_page(search, after, limit),
            )
        )

    async def _named_or_new(
        self, table: str, columns: str, insert: str, name: str, *values: object
    ) -> Row:
        """The row of that name (names are unique regardless of case), inserted first when there is
        none; ``insert`` takes a new id as $1, the name as $2, then ``values``."""
        created = await self._insert(
            f"{insert} ON CONFLICT ((lower(name))) DO NOTHING",
            columns,
            name,
            *values,
        )
        return created or await self._conn.fetchrow(
            f"SELECT {columns} FROM {table} WHERE lower(name) = lower($1)", name
        )

    # ---------------------------------------------------------------- vendors

    async def vendors(self, search: str | None, *, after: NameKey | None, limit: int) -> list[Row]:
        return await self._page_by_name("vendor", _VENDOR_COLUMNS, search, after, limit)

    async def vendor(self, vendor_id: UUID) -> Row | None:
        return await self._conn.fetchrow(
            f"SELECT {_VENDOR_COLUMNS} FROM vendor WHERE id = $1", vendor_id
        )

    async def create_vendor(self, *, name: str, is_seller: bool, license_number: str | None) -> Row:
        return await self._insert(
            "INSERT INTO vendor (id, name, is_seller, license_number) VALUES ($1, $2, $3, $4)",
            _VENDOR_COLUMNS,
            name,
            is_seller,
            license_number,
        )

    async def find_or_create_vendor(self, *, name: str, license_number: str | None) -> Row:
        return await self._named_or_new(
            "vendor",
            _VENDOR_COLUMNS,
            "INSERT INTO vendor (id, name, is_seller, license_number) VALUES ($1, $2, true, $3)",
            name,
            license_number,
        )

    # ----------------------------------------------------------------- brands

    async def brands(self, search: str | None, *, after: NameKey | None, limit: int) -> list[Row]:
        return await self._page_by_name("brand", _BRAND_COLUMNS, search, after, limit)

    async def brand(self, brand_id: UUID) -> Row | None:
        return await self._conn.fetchrow(
            f"SELECT {_BRAND_COLUMNS} FROM brand WHERE id = $1", brand_id
        )

    async def create_brand(self, *, name: str, vendor_id: UUID | None) -> Row:
        return await self._insert(
            "INSERT INTO brand (id, name, vendor_id) VALUES ($1, $2, $3)",
            _BRAND_COLUMNS,
            name,
            vendor_id,
        )

    async def find_or_create_brand(self, *, name: str, vendor_id: UUID | None) -> Row:
        return await self._named_or_new(
            "brand",
            _BRAND_COLUMNS,
            "INSERT INTO brand (id, name, vendor_id) VALUES ($1, $2, $3)",
            name,
            vendor_id,
        )

    # --------------------------------------------------------------- products

    async def products(
        self, which: ProductFilter, *, after: NameKey | None, limit: int
    ) -> list[Row]:
        """A page by name of the products ``which`` selects."""
        return list(
            await self._conn.fetch(
                f"SELECT {_PRODUCT_COLUMNS}, lower(p.name) AS sort_key"
                " FROM product p JOIN brand b ON b.id = p.brand_id"
                " WHERE ($1::text IS NULL OR p.name ILIKE $1)"
                " AND ($2::text IS NULL OR (lower(p.name), p.id) > ($2, $3::uuid))"
                " AND ($5::text IS NULL OR lower(p.category) = lower($5))"
                " AND ($6::uuid IS NULL OR p.brand_id = $6)"
                " ORDER BY lower(p.name), p.id LIMIT $4",
                *_name_page(which.search, after, limit),
                which.category,
                which.brand_id,
            )
        )

    async def product(self, product_id: UUID) -> Row | None:
        return await self._conn.fetchrow(
            f"SELECT {_PRODUCT_COLUMNS} FROM product p JOIN brand b ON b.id = p.brand_id"
            " WHERE p.id = $1",
            product_id,
        )

    async def create_product(self, fields: dict[str, Any], *, find_existing: bool) -> Row:
        """Insert a product; with ``find_existing``, return the brand's product of the same
        name instead of failing on it."""
        conflict = " ON CONFLICT (brand_id, (lower(name))) DO NOTHING" if find_existing else ""
        created = await self._insert(
            "INSERT INTO product (id, name, category, subcategory, strain, brand_id,"
            " unit_of_measure, sku) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" + conflict,
            "id",
            fields["name"],
            fields["category"],
            fields.get("subcategory"),
            fields.get("strain"),
            fields["brand_id"],
            fields["unit_of_measure"],
            fields.get("sku"),
        )
        if created is not None:
            return await self.product(created["id"])
        return await self._conn.fetchrow(
            f"SELECT {_PRODUCT_COLUMNS} FROM product p JOIN brand b ON b.id = p.brand_id"
            " WHERE p.brand_id = $1 AND lower(p.name) = lower($2)",
            fields["brand_id"],
            fields["name"],
        )

    # ------------------------------------------------------------------- lots

    async def lots(
        self, vendor_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]:
        """A page of the vendor's lots, newest first."""
        created, lot_id = after or (None, None)
        return list(
            await self._conn.fetch(
                f"SELECT {_LOT_COLUMNS} FROM lot WHERE vendor_id = $1"
                " AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))"
                " ORDER BY created_at DESC, id DESC LIMIT $4",
                vendor_id,
                created,
                lot_id,
                limit,
            )
        )

    async def lot(self, lot_id: UUID) -> Row | None:
        return await self._conn.fetchrow(f"SELECT {_LOT_COLUMNS} FROM lot WHERE id = $1", lot_id)

    async def find_or_create_lot(self, *, vendor_id: UUID, code: str) -> Row:
        created = await self._insert(
            "INSERT INTO lot (id, vendor_id, code) VALUES ($1, $2, $3)"
            " ON CONFLICT (vendor_id, code) DO NOTHING",
            _LOT_COLUMNS,
            vendor_id,
            code,
        )
        return created or await self._conn.fetchrow(
            f"SELECT {_LOT_COLUMNS} FROM lot WHERE vendor_id = $1 AND code = $2", vendor_id, code
        )
