"""The specification's user journey in a real browser, each step checked on the screen and in
what the API then holds: view the inventory, search and filter, sort and page, save a view,
open a batch, adjust its quantity, change its status, and bulk operations."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_the_inventory_page_shows_the_sites_batches_with_their_summary(api, screen):
    site = api.site("Eugene warehouse")
    batches = [site.live(quantity=str(10 * n)) for n in range(1, 4)]
    site.intake(quantity="7")  # awaiting intake
    user = api.user(["Owner"], [site.id])

    screen.sign_in(user)

    page = screen.page
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    assert set(screen.rows()) == {b["code"] for b in batches} | {
        b["code"] for b in api.enhanced(siteId=site.id)["items"]
    }
    held = api.enhanced(siteId=site.id)["summary"]
    summary = page.get_by_test_id("summary")
    expect(summary.get_by_text("Batches", exact=True).locator("..")).to_contain_text(
        str(held["totalBatches"])
    )
    expect(summary.get_by_text("On hand", exact=True).locator("..")).to_contain_text("67")
    expect(summary).to_contain_text("Live: 3")
    expect(summary).to_contain_text("Awaiting intake: 1")
    expect(page.get_by_test_id("site-switcher")).to_have_value(site.id)
    screen.screenshot("inventory")
    screen.check_accessibility("inventory")


def test_search_filters_sort_and_pages_are_the_apis(api, screen):
    site = api.site()
    for n in range(28):
        site.live(
            quantity=str(100 + n),
            sku=f"SRCH-{n:03d}",
            product={
                "name": "Gelato 1g" if n % 2 else "Runtz 1g",
                "category": "Vape",
                "unitOfMeasure": "Each",
            },
        )
    target = site.live(code="NEEDLE-0001", quantity="3")
    site.intake(code="WAITING-0001")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user)
    page = screen.page

    # paging: 30 batches, 25 a page
    expect(page.get_by_test_id("page-info")).to_contain_text("Page 1 of 2")
    expect(page.get_by_test_id("page-info")).to_contain_text("30 batches")
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_test_id("page-info")).to_contain_text("Page 2 of 2")
    assert len(screen.rows()) == 5
    assert "page=2" in page.url

    # search: batch code, SKU, product name
    page.get_by_test_id("search").fill("needle")
    expect(page.locator("[data-testid=batch-table] tbody tr")).to_have_count(1)
    assert screen.rows() == ["NEEDLE-0001"]
    expect(page.get_by_test_id("page-info")).to_contain_text("Page 1 of 1")
    page.get_by_test_id("search").fill("srch-01")
    expect(page.locator("[data-testid=batch-table] tbody tr")).to_have_count(10)
    page.get_by_test_id("search").fill("gelato")
    expect(page.locator("[data-testid=batch-table] tbody tr")).to_have_count(14)
    assert sorted(screen.rows()) == sorted(
        b["code"] for b in api.enhanced(siteId=site.id, search="gelato", pageSize=50)["items"]
    )

    # a filter: status, shown as a chip, in the URL
    page.get_by_test_id("search").fill("")
    page.get_by_test_id("filters-button").click()
    # (click, not check: the URL, hence the box, changes in a React transition a moment later)
    page.get_by_role("checkbox", name="Awaiting intake").click()
    expect(page.get_by_role("checkbox", name="Awaiting intake")).to_be_checked()
    page.keyboard.press("Escape")
    chips = page.get_by_test_id("filter-chips")
    expect(chips).to_contain_text("Status: Awaiting intake")
    assert screen.rows() == ["WAITING-0001"]
    assert "status=AWAITING_INTAKE" in page.url

    # no results, and clearing the filters
    page.get_by_test_id("search").fill("nothing matches this")
    expect(page.get_by_test_id("no-results")).to_contain_text("No matching inventory")
    screen.screenshot("inventory-no-results")
    page.get_by_test_id("no-results").get_by_role("button", name="Clear filters").click()
    expect(page.get_by_test_id("page-info")).to_contain_text("30 batches")
    expect(chips).to_have_count(0)

    # sort: by on hand, ascending then descending, as the API sorts
    header = page.get_by_role("columnheader", name=re.compile("^On hand"))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expected = [
        b["code"]
        for b in api.enhanced(siteId=site.id, sortBy="onHandQty", sortOrder="asc")["items"]
    ]
    assert screen.rows() == expected
    assert screen.rows()[0] == target["code"]
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expected = [
        b["code"]
        for b in api.enhanced(siteId=site.id, sortBy="onHandQty", sortOrder="desc")["items"]
    ]
    assert screen.rows() == expected

    # every column sorts
    for name in ["Batch", "SKU", "Product", "Category", "Vendor", "Brand", "Grade", "Status", "Reserved",
                 "Quarantine", "Hold", "Defective", "Available", "Unit cost", "Price", "Age", "Received", "Updated"]:  # fmt: skip
        column = page.get_by_role("columnheader", name=re.compile(f"^{name}"))
        column.get_by_role("button").click()
        expect(column).to_have_attribute("aria-sort", "ascending")


def test_a_saved_view_brings_back_its_filters_and_sort(api, screen):
    site = api.site()
    site.live(code="VIEW-LIVE-1")
    site.intake(code="VIEW-WAIT-1")
    user = api.user(["Owner"], [site.id])
    screen.sign_in(user, "/inventory?status=LIVE&sortBy=code&sortOrder=asc")
    page = screen.page
    assert screen.rows() == ["VIEW-LIVE-1"]

    page.get_by_test_id("views-button").click()
    page.get_by_role("menuitem", name="Save current view…").click()
    dialog = page.get_by_test_id("save-view-dialog")
    dialog.get_by_label("Name").fill("Live, by code")
    dialog.get_by_label("Share with everyone").check()
    screen.check_accessibility("save view dialog")
    dialog.get_by_role("button", name="Save view").click()
    expect(page.get_by_test_id("toast-success")).to_contain_text("View “Live, by code” saved")

    views = [v for v in api.ok("GET", "/api/v1/views") if v["name"] == "Live, by code"]
    assert len(views) == 1
    assert views[0]["isShared"] is True
    assert views[0]["filters"]["status"] == ["LIVE"]
    assert views[0]["filters"]["sortBy"] == "code"

    page.get_by_test_id("filter-chips").get_by_role("button", name="Clear filters").click()
    # The list refetches after the filters clear; wait for it rather than read the old rows.
    expect(page.locator("[data-testid=batch-table] tbody tr td button.link-button")).to_have_count(
        2
    )
    assert sorted(screen.rows()) == ["VIEW-LIVE-1", "VIEW-WAIT-1"]
    page.get_by_test_id("views-button").click()
    page.get_by_role("menuitem", name=re.compile("^Live, by code")).click()
    expect(page.get_by_test_id("filter-chips")).to_contain_text("Status: Live")
    assert screen.rows() == ["VIEW-LIVE-1"]
    assert "sortBy=code" in page.url

    page.get_by_test_id("views-button").click()
    page.get_by_role("menuitem", name="Delete “Live, by code”").click()
    expect(page.get_by_test_id("toast-success").filter(has_text="deleted")).to_contain_text(
        "View “Live, by code” deleted"
    )
    assert not [v for v in api.ok("GET", "/api/v1/views") if v["id"] == views[0]["id"]]
