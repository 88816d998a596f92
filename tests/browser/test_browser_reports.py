"""The reports in the browser: the inventory page's dashboard statistics, aging and profitability
with their charts, tables, "as of" and CSV downloads, and the menus by permission (reports:read).

Each test builds its own site's history through the API, waits until the reporting service's read
models hold it (they are built from events), then checks the screen against the API's figures.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Api, Screen, Site


def _site_with_sales(api: Api) -> tuple[Site, list[dict[str, Any]]]:
    """Two live batches (Flower 100 g at $2.50, Edible 40 at $1.25), ten grams of the Flower sold
    at its $10 ticket, and one batch still awaiting intake (not sellable)."""
    site = api.site()
    flower = site.live(quantity="100", unitCogs="2.5", ticket="10")
    edible = site.live(
        quantity="40",
        unitCogs="1.25",
        product={"name": "Gummies 10pk", "category": "Edible", "unitOfMeasure": "Each"},
    )
    waiting = site.intake(quantity="5")
    api.ok(
        "POST",
        f"/api/v1/batches/{flower['id']}/sales",
        json={"quantity": "10", "referenceType": "ORDER", "referenceId": "SO-1"},
    )
    api.eventually(
        "/api/v1/reports/profitability",
        lambda r: Decimal(r["totalUnits"]) == 10,
        siteId=[site.id],
    )
    api.eventually(
        "/api/v1/reports/dashboard",
        lambda r: Decimal(r["totalUnits"]) == 130 and r["statusCounts"].get("AWAITING_INTAKE"),
        siteId=[site.id],
    )
    return site, [flower, edible, waiting]


def test_the_inventory_page_shows_the_sites_dashboard_statistics_as_of_their_events(
    api: Api, screen: Screen
) -> None:
    site, _ = _site_with_sales(api)
    stats = api.ok("GET", "/api/v1/reports/dashboard", params={"siteId": [site.id]})
    assert Decimal(stats["totalInventoryValue"]) == Decimal("275")  # 90 x 2.50 + 40 x 1.25
    manager = api.user(["Sales Manager"], [site.id])
    screen.sign_in(manager)
    page = screen.page
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard.get_by_test_id("dashboard-value")).to_have_text("$275.00")
    expect(dashboard.get_by_test_id("dashboard-units")).to_have_text("130")
    expect(dashboard.get_by_test_id("dashboard-statuses")).to_contain_text("Live: 2")
    expect(dashboard.get_by_test_id("dashboard-statuses")).to_contain_text("Awaiting intake: 1")
    categories = dashboard.get_by_test_id("dashboard-categories")
    expect(categories.get_by_role("row", name="Flower")).to_contain_text("$225.00")
    expect(categories.get_by_role("row", name="Edible")).to_contain_text("$50.00")
    expect(dashboard.get_by_test_id("as-of")).to_contain_text("As of")
    assert dashboard.get_by_test_id("as-of").locator("time").get_attribute("datetime")
    screen.check_accessibility("inventory with dashboard")
    screen.screenshot("inventory-dashboard")


def test_the_aging_report_charts_the_brackets_lists_the_oldest_and_downloads_its_csv(
    api: Api, screen: Screen
) -> None:
    site, (flower, edible, _) = _site_with_sales(api)
    aging = api.ok("GET", "/api/v1/reports/aging", params={"siteId": [site.id], "top": 10})
    assert aging["summary"]["FRESH"]["count"] == 2
    # A second site of the auditor's (named to sort after the first, which is worked in).
    other = api.site(f"Zeta {site.name}")
    elsewhere = other.live(quantity="7", unitCogs="3")
    both = api.eventually(
        "/api/v1/reports/aging",
        lambda r: r["summary"]["FRESH"]["count"] == 3,
        siteId=[site.id, other.id],
        top=10,
    )
    auditor = api.user(["Auditor"], [site.id, other.id])
    screen.sign_in(auditor)
    page = screen.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Aging").click()
    expect(page.get_by_role("heading", name="Aging", level=1)).to_be_visible()
    brackets = page.get_by_test_id("aging-brackets")
    fresh = brackets.locator("tr[data-bracket=FRESH]")
    expect(fresh).to_contain_text("Fresh 0\N{EN DASH}14 d")
    expect(fresh.locator("td").nth(0)).to_have_text("2")
    expect(fresh.locator("td").nth(1)).to_have_text("130")
    expect(fresh.locator("td").nth(2)).to_have_text("$275.00")
    expect(brackets.locator("tr[data-bracket=CRITICAL] td").nth(0)).to_have_text("0")
    chart = page.get_by_test_id("aging-chart")
    expect(chart.get_by_test_id("chart-bar")).to_have_count(4)
    expect(chart.locator("svg[role=img]")).to_have_attribute(
        "aria-label",
        "Batches per age bracket: Fresh 0\N{EN DASH}14 d 2; Moderate 15\N{EN DASH}30 d 0; "
        "Aging 31\N{EN DASH}60 d 0; Critical 61+ d 0",
    )
    items = page.get_by_test_id("aging-items")
    codes = items.locator("tbody tr td:first-child").all_inner_texts()
    assert codes == [item["code"] for item in aging["topAgingItems"]]
    assert set(codes) == {flower["code"], edible["code"]}
    expect(page.get_by_test_id("as-of")).to_contain_text("As of")
    screen.check_accessibility("aging report")
    screen.screenshot("reports-aging")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download aging CSV").click()
    saved = download.value
    assert saved.suggested_filename.startswith("aging-")
    assert saved.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(saved.path()).read_text(encoding="utf-8"))))
    assert rows
    assert all(row["asOf"] for row in rows)
    assert {flower["code"], edible["code"]} <= {row.get("code") for row in rows}
    assert elsewhere["code"] not in {row.get("code") for row in rows}

    # All the auditor's sites at once: the API's figures for both sites, and a CSV saying so.
    page.get_by_test_id("report-scope").select_option(label="All my sites (2)")
    expect(page.get_by_test_id("report-sites")).to_have_text("All my sites (2)")
    fresh_total = both["summary"]["FRESH"]
    expect(fresh.locator("td").nth(0)).to_have_text(str(fresh_total["count"]))
    expect(fresh.locator("td").nth(1)).to_have_text("137")  # 130 here, 7 at the other site
    assert Decimal(fresh_total["totalUnits"]) == 137
    expect(fresh.locator("td").nth(2)).to_have_text("$296.00")  # 275 + 7 x 3
    assert Decimal(fresh_total["totalValue"]) == 296
    expect(page.get_by_test_id("aging-items-count")).to_have_text(str(both["agingItemsCount"]))
    codes = items.locator("tbody tr td:first-child").all_inner_texts()
    assert codes == [item["code"] for item in both["topAgingItems"]]
    assert elsewhere["code"] in codes
    with page.expect_download() as download:
        page.get_by_role("button", name="Download aging CSV").click()
    saved = download.value
    assert saved.suggested_filename.startswith("aging-all-sites-")
    rows = list(csv.DictReader(io.StringIO(Path(saved.path()).read_text(encoding="utf-8"))))
    assert {flower["code"], elsewhere["code"]} <= {row.get("code") for row in rows}
    screen.check_accessibility("aging report of all sites")

    # A batch of the oldest list opens in the inventory's drawer.
    items.get_by_role("link", name=flower["code"]).click()
    expect(page.get_by_test_id("batch-detail")).to_contain_text(flower["sku"])


def test_profitability_shows_categories_and_a_chosen_batch_as_the_api_holds_them(
    api: Api, screen: Screen
) -> None:
    site, (flower, _, _) = _site_with_sales(api)
    summary = api.ok("GET", "/api/v1/reports/profitability", params={"siteId": [site.id]})
    assert Decimal(summary["grossProfit"]) == Decimal("75")  # 10 x (10.00 - 2.50)
    owner = api.user(["Owner"], [site.id])
    screen.sign_in(owner, "/reports/profitability")
    page = screen.page
    stats = page.get_by_test_id("profit-stats")
    expect(stats).to_contain_text("Revenue$100.00")
    expect(stats).to_contain_text("Gross profit$75.00")
    expect(stats).to_contain_text(f"Average margin{summary['avgMargin']} %")
    row = page.get_by_test_id("profit-categories").get_by_role("row", name="Flower")
    expect(row).to_contain_text("$100.00")
    expect(row).to_contain_text("$25.00")
    expect(row).to_contain_text("$75.00")
    expect(page.get_by_test_id("profit-chart").get_by_test_id("chart-bar")).to_have_count(1)

    page.get_by_test_id("profit-batch-search").fill(flower["code"])
    page.get_by_role("button", name="Find").click()
    page.get_by_role("list", name="Batches found").get_by_role(
        "button", name=flower["code"]
    ).click()
    batch = api.ok("GET", f"/api/v1/reports/profitability/batches/{flower['id']}")
    card = page.get_by_test_id("batch-profit")
    expect(card).to_contain_text(flower["code"])
    assert Decimal(batch["unitsSold"]) == 10
    expect(card).to_contain_text("Units sold10")
    expect(card).to_contain_text("Potential revenue$900.00")  # 90 left at $10
    expect(card.get_by_test_id("chart-bar")).to_have_count(4)
    assert f"batch={flower['id']}" in page.url
    screen.check_accessibility("profitability report")
    screen.screenshot("reports-profitability")

    with page.expect_download() as download:
        card.get_by_role("button", name="Download batch CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert flower["code"] in text
    assert "asOf" in text.splitlines()[0]


def test_reports_are_offered_only_to_those_who_may_read_them(api: Api, screen: Screen) -> None:
    site = api.site()
    site.live()
    clerk = api.user(["Inventory"], [site.id])
    screen.sign_in(clerk)
    page = screen.page
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Batches", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Aging")).to_have_count(0)
    expect(menu.get_by_role("link", name="Profitability")).to_have_count(0)
    expect(page.get_by_test_id("batch-table")).to_be_visible()
    expect(page.get_by_test_id("dashboard")).to_have_count(0)
    screen.goto("/reports/aging")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    screen.check_accessibility("reports access denied")
