"""The guide's month-end reconciliation (scenario 3) in the browser, through the whole platform to
the Metrc sandbox: two packages changed in Metrc only, the mirror pulled, reconciliation run from
the screen, each difference shown with its quantities and proposed fix, one approved (Canopy
then holds Metrc's count) and one rejected (nothing changes), and the month-end report shown and
downloaded; the review's buttons only for those who may decide."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from compliance.adapters.metrc.payloads import PackageAdjust
from compliance.sandbox_world import ITEM, LICENSE, USER_KEY, VENDOR_KEY
from playwright.sync_api import expect
from shared.testing.platform import RunningPlatform

from tests.browser.conftest import Api, Screen, Site
from tests.browser.test_browser_compliance import _rules, _tags, _until

DENVER = ZoneInfo("America/Denver")  # the sandbox license's facility


def _metrc_adjust(metrc_url: str, tag: str, quantity: str, note: str) -> None:
    """An adjustment made in Metrc only (someone at the facility used Metrc's own screens)."""
    adjustment = PackageAdjust(
        label=tag,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        adjustment_reason="Scale Variance",
        adjustment_date=datetime.now(DENVER).date(),
        reason_note=note,
    )
    answer = httpx.post(
        metrc_url + "/packages/v2/adjust",
        params={"licenseNumber": LICENSE},
        auth=(VENDOR_KEY, USER_KEY),
        json=[adjustment.model_dump(mode="json", by_alias=True)],
        timeout=30,
    )
    answer.raise_for_status()


def _pull(api: Api, site: Site) -> None:
    started = api.ok(
        "POST",
        "/api/v1/compliance/sync",
        202,
        json={"siteId": site.id, "syncTypes": ["packages", "adjustments"]},
    )
    run_id = started["run"]["id"]

    def finished() -> Any:
        run = api.ok("GET", f"/api/v1/compliance/sync/runs/{run_id}")
        return run if run["state"] in ("SUCCEEDED", "FAILED") else None

    assert _until(finished, "the pull", seconds=120)["state"] == "SUCCEEDED"


def test_differences_are_reviewed_approved_or_rejected_and_the_month_end_downloaded(
    api: Api, screen: Screen, metrc_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    metrc_url = web_platform.compliance.metrc_url
    _rules(api, metrc_site, metrc_url)
    api.ok(
        "PUT",
        f"/api/v1/compliance/credentials/{LICENSE}",
        json={"state": "CO", "vendorKey": VENDOR_KEY, "userKey": USER_KEY},
    )
    tags = _tags(web_platform)
    fixed_tag, kept_tag = tags[-2], tags[-3]
    product = {"name": ITEM, "category": "Flower", "strain": "Blue Dream", "unitOfMeasure": "Grams"}
    opening = {"kind": "OPENING_BALANCE"}
    fixed = metrc_site.intake(
        product=product, quantity="10", package={"tag": fixed_tag, "source": opening}
    )
    kept = metrc_site.intake(
        product=product, quantity="10", package={"tag": kept_tag, "source": opening}
    )
    for batch in (fixed, kept):

        def linked(batch_id: str = batch["id"]) -> bool:
            answer = api.client.get(f"/api/v1/batches/{batch_id}/metrc-link")
            return answer.status_code == 200 and answer.json()["state"] == "LINKED"

        _until(linked, f"batch {batch['code']} in Metrc")
    _metrc_adjust(metrc_url, fixed_tag, "-2", "spilled, counted in Metrc")
    _metrc_adjust(metrc_url, kept_tag, "-1", "weighed in Metrc")
    _pull(api, metrc_site)

    officer = api.user(["Compliance QA"], ["*"])
    screen.sign_in(officer)
    page = screen.page
    page.get_by_test_id("site-switcher").select_option(metrc_site.id)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reconciliation").click()
    expect(page.get_by_test_id("reconcile-license")).to_have_value(LICENSE)
    page.get_by_role("button", name="Reconcile now").click()
    expect(page.get_by_test_id("last-run")).to_be_visible(timeout=60_000)
    findings = page.get_by_test_id("findings")
    fixed_item = findings.locator("li.problem", has_text=fixed_tag)
    kept_item = findings.locator("li.problem", has_text=kept_tag)
    expect(fixed_item).to_have_attribute("data-class", "CHANGED_IN_METRC")
    expect(fixed_item.get_by_test_id("canopy-quantity")).to_contain_text("10")
    expect(fixed_item.get_by_test_id("metrc-quantity")).to_contain_text("8")
    expect(fixed_item).to_contain_text("spilled, counted in Metrc")
    expect(kept_item).to_have_attribute("data-class", "CHANGED_IN_METRC")
    screen.check_accessibility("reconciliation review")
    screen.screenshot("compliance-reconciliation")

    # Approve one: its fix is applied as the officer, and Canopy then holds Metrc's count.
    fixed_id = fixed_item.get_attribute("data-finding")
    fixed_item.get_by_role("button", name="Approve fix").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("decide-dialog")
    dialog.get_by_label("Note").fill("recounted: Metrc is right")
    dialog.get_by_role("button", name="Approve and apply").click()
    expect(dialog).to_have_count(0)
    expect(fixed_item).to_have_count(0)  # no longer open
    held = api.ok("GET", f"/api/v1/compliance/findings/{fixed_id}")
    assert held["state"] in ("APPLIED", "SETTLED")
    assert held["decisionNote"] == "recounted: Metrc is right"
    assert Decimal(api.detail(fixed["id"])["batch"]["physicalQty"]) == Decimal("8")

    # Reject the other: nothing changes on either side.
    kept_id = kept_item.get_attribute("data-finding")
    kept_item.get_by_role("button", name="Reject").click()
    dialog = page.get_by_test_id("decide-dialog")
    dialog.get_by_label("Note").fill("Metrc will be corrected by hand")
    dialog.get_by_role("button", name="Reject finding").click()
    expect(dialog).to_have_count(0)
    expect(kept_item).to_have_count(0)
    assert api.ok("GET", f"/api/v1/compliance/findings/{kept_id}")["state"] == "REJECTED"
    assert Decimal(api.detail(kept["id"])["batch"]["physicalQty"]) == Decimal("10")
    page.get_by_test_id("finding-state").select_option("REJECTED")
    expect(findings.locator("li.problem", has_text=kept_tag)).to_contain_text(
        "Metrc will be corrected by hand"
    )

    # The month-end report of today: both decisions, shown as the API holds them, and as CSV.
    today = datetime.now(DENVER).date().isoformat()
    page.get_by_test_id("month-end-date").fill(today)
    report = api.ok(
        "GET",
        f"/api/v1/compliance/licenses/{LICENSE}/reconciliation/report",
        params={"asOf": today},
    )
    rows = page.get_by_test_id("month-end-rows")
    expect(rows.locator("tbody tr")).to_have_count(len(report["rows"]))
    expect(rows.locator(f"tr[data-finding='{fixed_id}']")).to_contain_text(held["decidedBy"])
    with page.expect_download() as download:
        page.get_by_role("button", name="Download month-end CSV").click()
    csv = download.value.path().read_text()
    assert fixed_id in csv
    assert kept_id in csv
    assert download.value.suggested_filename == f"reconciliation-{LICENSE}-{today}.csv"
    screen.check_accessibility("month-end report")
    screen.screenshot("compliance-month-end")


def test_the_review_is_read_only_for_those_who_may_not_decide(api: Api, screen: Screen) -> None:
    site = api.site()
    clerk = api.user(["Inventory"], [site.id])
    screen.sign_in(clerk)
    page = screen.page
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reconciliation")
    ).to_have_count(0)
    screen.goto("/compliance/reconciliation")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
