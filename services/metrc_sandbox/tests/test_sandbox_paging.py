"""The v2 paging envelope and the lastModified window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

ENVELOPE = {
    "Data",
    "Total",
    "TotalRecords",
    "PageSize",
    "RecordsOnPage",
    "Page",
    "CurrentPage",
    "TotalPages",
}


def _bulk(sbx: Any, count: int) -> None:
    body = {
        "license_number": sbx.A,
        "count": count,
        "item": "Flower",
        "quantity": "1",
        "unit_of_measure": "Grams",
    }
    assert sbx.admin.post("/_sandbox/packages/bulk", json=body).json() == {"created": count}


def test_unpaged_list_returns_everything_in_one_page(sbx: Any) -> None:
    _bulk(sbx, 30)
    body = sbx.get("/packages/v2/active").json()
    assert set(body) == ENVELOPE
    assert body["Total"] == body["TotalRecords"] == body["RecordsOnPage"] == body["PageSize"] == 33
    assert (body["Page"], body["CurrentPage"], body["TotalPages"]) == (1, 1, 1)


def test_pages_walk_every_row_once_in_id_order(sbx: Any) -> None:
    _bulk(sbx, 42)
    seen: list[int] = []
    page = 1
    while True:
        body = sbx.get("/packages/v2/active", pageNumber=page, pageSize=20).json()
        assert body["TotalRecords"] == 45
        assert body["TotalPages"] == 3
        assert body["Page"] == body["CurrentPage"] == page
        assert body["RecordsOnPage"] == len(body["Data"])
        seen.extend(p["Id"] for p in body["Data"])
        if page >= body["TotalPages"]:
            break
        page += 1
    assert seen == sorted(seen)
    assert len(set(seen)) == 45


def test_page_beyond_the_end_is_empty(sbx: Any) -> None:
    body = sbx.get("/packages/v2/active", pageNumber=9, pageSize=5).json()
    assert body["Data"] == []
    assert body["TotalRecords"] == 3


def test_page_size_over_the_cap_is_400(sbx: Any) -> None:
    response = sbx.get("/packages/v2/active", pageSize=21)
    assert response.status_code == 400
    assert "pageSize" in response.json()["Message"]


def test_page_size_cap_is_configurable(sbx: Any) -> None:
    sbx.configure(max_page_size=50)
    assert sbx.get("/packages/v2/active", pageSize=50).status_code == 200
    assert sbx.get("/packages/v2/active", pageSize=51).status_code == 400


def test_zero_or_garbage_paging_values_are_400(sbx: Any) -> None:
    assert sbx.get("/packages/v2/active", pageSize=0).status_code == 400
    assert sbx.get("/packages/v2/active", pageNumber="x", pageSize=5).status_code == 400


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def test_last_modified_filter_is_inclusive_and_tracks_every_change(sbx: Any) -> None:
    packages = sbx.packages()
    changed = packages[1]
    stamp = datetime.fromisoformat(changed["LastModified"])
    assert stamp.utcoffset() == timedelta(0)
    assert changed["LastModified"].endswith("+00:00")
    exact = sbx.get(
        "/packages/v2/active", lastModifiedStart=_iso(stamp), lastModifiedEnd=_iso(stamp)
    ).json()
    assert changed["Id"] in [p["Id"] for p in exact["Data"]]

    adjust = [
        {
            "Label": changed["Label"],
            "Quantity": 1,
            "UnitOfMeasure": "Grams",
            "AdjustmentReason": "Scale Variance",
            "AdjustmentDate": "2024-01-01",
        }
    ]
    assert sbx.write("POST", "/packages/v2/adjust", adjust).status_code == 200
    after = sbx.package(changed["Label"])["LastModified"]
    assert after > changed["LastModified"]
    now = datetime.now(UTC)
    window = sbx.get(
        "/packages/v2/active",
        lastModifiedStart=after,
        lastModifiedEnd=_iso(now + timedelta(seconds=1)),
    ).json()
    assert [p["Id"] for p in window["Data"]] == [changed["Id"]]


def test_last_modified_window_longer_than_24_hours_is_400(sbx: Any) -> None:
    end = datetime.now(UTC)
    response = sbx.get(
        "/packages/v2/active",
        lastModifiedStart=_iso(end - timedelta(hours=24, seconds=1)),
        lastModifiedEnd=_iso(end),
    )
    assert response.status_code == 400
    assert "24" in response.json()["Message"]
    ok = sbx.get(
        "/packages/v2/active",
        lastModifiedStart=_iso(end - timedelta(hours=24)),
        lastModifiedEnd=_iso(end),
    )
    assert ok.status_code == 200


def test_last_modified_cap_is_configurable(sbx: Any) -> None:
    sbx.configure(last_modified_max_hours=1)
    end = datetime.now(UTC)
    response = sbx.get(
        "/packages/v2/active",
        lastModifiedStart=_iso(end - timedelta(hours=2)),
        lastModifiedEnd=_iso(end),
    )
    assert response.status_code == 400


def test_unencoded_plus_in_an_offset_is_rejected(sbx: Any) -> None:
    # "+00:00" sent raw in a query string arrives as " 00:00"; Metrc cannot read it either.
    url = f"/packages/v2/active?licenseNumber={sbx.A}&lastModifiedStart=2026-01-01T00:00:00+00:00"
    assert sbx.api.get(url).status_code == 400


def test_end_before_start_is_400(sbx: Any) -> None:
    now = datetime.now(UTC)
    response = sbx.get(
        "/packages/v2/active",
        lastModifiedStart=_iso(now),
        lastModifiedEnd=_iso(now - timedelta(hours=1)),
    )
    assert response.status_code == 400


def test_every_facility_list_is_paged(sbx: Any) -> None:
    for path in ("/locations/v2/active", "/locations/v2/inactive", "/locations/v2/types",
                 "/items/v2/active", "/items/v2/inactive", "/items/v2/categories",
                 "/strains/v2/active", "/strains/v2/inactive",
                 "/packages/v2/inactive", "/packages/v2/onhold", "/packages/v2/intransit",
                 "/packages/v2/adjustments", "/packages/v2/adjust/reasons",
                 "/plantbatches/v2/active", "/plantbatches/v2/inactive",
                 "/plants/v2/vegetative", "/plants/v2/flowering", "/plants/v2/inactive",
                 "/harvests/v2/active", "/harvests/v2/inactive",
                 "/transfers/v2/types", "/transfers/v2/templates/outgoing",
                 "/transfers/v2/outgoing", "/transfers/v2/incoming"):  # fmt: skip
        response = sbx.get(path)
        assert response.status_code == 200, path
        assert set(response.json()) == ENVELOPE, path
        assert sbx.get(path, None).status_code == 400, path
        assert sbx.get(path, pageSize=21).status_code == 400, path
