"""One batch in the drawer: its quantities, costs, locations, ledger and audit trail as the API
holds them; adjusting it, changing its status (only the allowed changes offered), holds and
reservations; and the stale-version conflict when someone else changed it meanwhile."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def open_batch(screen, code: str):
    screen.page.get_by_role("button", name=f"Open batch {code}").click()
    drawer = screen.page.get_by_test_id("batch-drawer")
    expect(drawer.get_by_test_id("batch-detail")).to_be_visible()
    return drawer


def test_the_drawer_shows_the_batch_as_the_api_holds_it(api, screen):
    site = api.site()
    batch = site.live(code="DRAWER-1", quantity="120.5", unitCogs="3.25", ticket="6")
    api.ok(
        "POST",
        f"/api/v1/batches/{batch['id']}/reservations",
        json={"quantity": "20", "referenceType": "ORDER", "referenceId": "SO-77"},
    )
    user = api.user(["Owner"], [site.id])
    screen.sign_in(user)

    drawer = open_batch(screen, "DRAWER-1")
    detail = api.detail(batch["id"])
    expect(drawer.get_by_role("heading", name="Batch DRAWER-1")).to_be_visible()
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("120.5")
    expect(drawer.get_by_test_id("qty-reserved")).to_contain_text("20")
    expect(drawer.get_by_test_id("qty-available")).to_contain_text("100.5")
    assert detail["availableQty"] == "100.5000"
    expect(drawer).to_contain_text("$3.25")
    expect(drawer).to_contain_text("Vault/R1")
    expect(drawer).to_contain_text("ORDER SO-77")
    movements = drawer.get_by_test_id("movements").locator("tbody tr")
    expect(movements).to_have_count(len(detail["movements"]))
    expect(drawer.get_by_test_id("audit-trail").locator("li")).to_have_count(
        len(detail["auditLogs"])
    )
    # Its site has no jurisdiction rules: compliance does not track it, and the drawer says so.
    expect(drawer.get_by_test_id("metrc-not-tracked")).to_be_visible()
    assert "batch=" + batch["id"] in screen.page.url
    screen.screenshot("batch-drawer")
    screen.check_accessibility("batch drawer")

    # A deep link opens the same drawer; Escape closes it and the URL forgets it.
    screen.goto(f"/inventory?batch={batch['id']}")
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("120.5")
    screen.page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    assert "batch=" not in screen.page.url


def test_adjusting_a_quantity_records_a_movement_with_its_reason(api, screen):
    site = api.site()
    batch = site.live(code="ADJ-1", quantity="100")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user)
    drawer = open_batch(screen, "ADJ-1")
    drawer.get_by_role("button", name="Adjust quantity").click()
    dialog = screen.page.get_by_test_id("adjust-dialog")
    submit = dialog.get_by_role("button", name="Save adjustment")

    # The spec's rules on their fields, before anything is sent.
    dialog.get_by_label("Adjustment (+/-)").fill("-100.5")
    expect(dialog).to_contain_text(
        "Adjustment would result in negative inventory. Current onHandQty: 100, adjustment: -100.5"
    )
    expect(submit).to_be_disabled()
    dialog.get_by_label("Adjustment (+/-)").fill("2000000")
    expect(dialog).to_contain_text("Adjustment too large")
    dialog.get_by_label("Adjustment (+/-)").fill("1.23456")
    expect(dialog).to_contain_text("at most 4 decimal places")
    dialog.get_by_label("Adjustment (+/-)").fill("-4.25")
    expect(submit).to_be_disabled()  # no reason yet
    dialog.get_by_label("Reason").select_option("OTHER")
    expect(dialog).to_contain_text("Notes are required when the reason is Other")
    expect(submit).to_be_disabled()
    dialog.get_by_label("Reason").select_option("COUNT_DISCREPANCY")
    dialog.get_by_label("Notes").fill("cycle count, aisle 4")
    expect(dialog.get_by_test_id("adjust-preview")).to_contain_text("100 → 95.75")
    screen.screenshot("adjust-dialog")
    screen.check_accessibility("adjust dialog")
    submit.click()

    expect(screen.page.get_by_test_id("toast-success")).to_contain_text("Batch ADJ-1 adjusted")
    expect(dialog).to_have_count(0)
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("95.75")
    detail = api.detail(batch["id"])
    assert detail["batch"]["onHandQty"] == "95.7500"
    adjustment = detail["movements"][0]
    assert adjustment["movementType"] == "ADJUSTMENT"
    assert adjustment["quantityChange"] == "-4.2500"
    assert adjustment["adjustmentReason"] == "COUNT_DISCREPANCY"
    assert adjustment["notes"] == "cycle count, aisle 4"
    expect(drawer.get_by_test_id("movements").locator("tbody tr").first).to_contain_text(
        "ADJUSTMENT"
    )
    # The list behind the drawer was refetched too.
    row = screen.page.locator("[data-testid=batch-table] tbody tr", has_text="ADJ-1")
    expect(row).to_contain_text("95.75")


def test_only_the_status_changes_the_batch_allows_are_offered(api, screen):
    site = api.site()
    batch = site.live(code="STATUS-1", quantity="40")
    user = api.user(["Compliance QA"], [site.id])
    screen.sign_in(user)
    drawer = open_batch(screen, "STATUS-1")
    drawer.get_by_role("button", name="Change status").click()
    dialog = screen.page.get_by_test_id("status-dialog")
    offered = dialog.get_by_label("New status").locator("option").all_inner_texts()[1:]
    allowed = api.detail(batch["id"])["allowedTransitions"]
    # A batch with stock cannot sell out or close (the API refuses it: BATCH_NOT_EMPTY).
    allowed = [s for s in allowed if s not in ("SOLD_OUT", "CLOSED")]
    labels = {"PHOTOGRAPHY_COMPLETE": "Photography complete", "ON_HOLD": "On hold", "QUARANTINED": "Quarantined",
              "SOLD_OUT": "Sold out", "CLOSED": "Closed", "LIVE": "Live", "AWAITING_INTAKE": "Awaiting intake"}  # fmt: skip
    assert offered == [labels[s] for s in allowed]
    assert "Awaiting intake" not in offered
    assert "Closed" not in offered
    expect(dialog).to_contain_text("Selling out and closing need an empty batch")

    dialog.get_by_label("New status").select_option("QUARANTINED")
    expect(dialog).to_contain_text("All of on-hand moves into quarantine")
    expect(dialog.get_by_role("button", name="Change status")).to_be_disabled()  # reason required
    dialog.get_by_label("Reason").fill("mold found")
    screen.check_accessibility("status dialog")
    dialog.get_by_role("button", name="Change status").click()
    expect(screen.page.get_by_test_id("toast-success")).to_contain_text(
        "Batch STATUS-1 is now Quarantined"
    )
    expect(drawer.get_by_test_id("qty-quarantine")).to_contain_text("40")
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("0")
    held = api.detail(batch["id"])
    assert held["batch"]["status"] == "QUARANTINED"
    assert held["batch"]["quarantineQty"] == "40.0000"
    assert held["batch"]["onHandQty"] == "0.0000"

    # From QUARANTINED only release and closing are offered.
    drawer.get_by_role("button", name="Change status").click()
    offered = dialog.get_by_label("New status").locator("option").all_inner_texts()[1:]
    assert offered == [labels[s] for s in held["allowedTransitions"]]
    assert set(held["allowedTransitions"]) == {"LIVE", "CLOSED"}


def test_holds_and_reservations_move_the_earmarks(api, screen):
    site = api.site()
    batch = site.live(code="EARMARK-1", quantity="50")
    user = api.user(["Sales Manager"], [site.id])
    screen.sign_in(user)
    drawer = open_batch(screen, "EARMARK-1")

    drawer.get_by_role("button", name="Put on hold").click()
    dialog = screen.page.get_by_test_id("hold-dialog")
    dialog.get_by_label("Quantity").fill("60")
    expect(dialog).to_contain_text("At most 50 is available")
    dialog.get_by_label("Quantity").fill("10")
    dialog.get_by_role("button", name="Hold").click()
    expect(drawer.get_by_test_id("qty-on-hold")).to_contain_text("10")
    expect(drawer.get_by_test_id("qty-available")).to_contain_text("40")

    drawer.get_by_role("button", name="Reserve").click()
    dialog = screen.page.get_by_test_id("reserve-dialog")
    dialog.get_by_label("Quantity").fill("15")
    dialog.get_by_role("textbox", name="Reference", exact=True).fill("SO-1042")
    dialog.get_by_role("button", name="Reserve").click()
    expect(drawer).to_contain_text("ORDER SO-1042")
    expect(drawer.get_by_test_id("qty-available")).to_contain_text("25")
    held = api.detail(batch["id"])
    assert held["batch"]["holdQty"] == "10.0000"
    assert held["reservations"] == [
        {"referenceType": "ORDER", "referenceId": "SO-1042", "qty": "15.0000"}
    ]

    drawer.get_by_role("button", name=re.compile("^Release SO-1042")).click()
    screen.page.get_by_test_id("release-reservation-dialog").get_by_role(
        "button", name="Release"
    ).click()
    expect(drawer).to_contain_text("Nothing reserved.")
    drawer.get_by_role("button", name="Release hold").click()
    dialog = screen.page.get_by_test_id("hold-dialog")
    dialog.get_by_label("Quantity").fill("10")
    dialog.get_by_role("button", name="Release").click()
    expect(drawer.get_by_test_id("qty-available")).to_contain_text("50")
    held = api.detail(batch["id"])
    assert held["batch"]["holdQty"] == "0.0000"
    assert held["reservations"] == []


def test_a_batch_changed_by_someone_else_meanwhile_is_a_conflict_to_reload(api, screen):
    site = api.site()
    batch = site.live(code="STALE-1", quantity="100")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user)
    drawer = open_batch(screen, "STALE-1")
    drawer.get_by_role("button", name="Adjust quantity").click()
    dialog = screen.page.get_by_test_id("adjust-dialog")
    dialog.get_by_label("Adjustment (+/-)").fill("-10")
    dialog.get_by_label("Reason").select_option("DAMAGED")

    # Someone else adjusts the batch while the dialog is open.
    api.ok(
        "POST",
        f"/api/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "-30", "reason": "LOST"},
    )
    screen.console.expect_http(409)
    dialog.get_by_role("button", name="Save adjustment").click()
    conflict = dialog.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Someone changed this batch while you were working on it")
    expect(screen.page.get_by_test_id("toast-error")).to_contain_text(
        "This batch was changed by someone else"
    )
    screen.screenshot("conflict")
    assert api.detail(batch["id"])["batch"]["onHandQty"] == "70.0000"  # nothing of ours applied

    conflict.get_by_role("button", name="Reload batch").click()
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("70")
    expect(conflict).to_have_count(0)
    dialog.get_by_role("button", name="Save adjustment").click()
    expect(screen.page.get_by_test_id("toast-success")).to_contain_text("Batch STALE-1 adjusted")
    assert api.detail(batch["id"])["batch"]["onHandQty"] == "60.0000"


def test_a_batch_that_does_not_exist_is_not_found_in_the_drawer(api, screen):
    site = api.site()
    site.live(code="REAL-1")
    user = api.user(["Auditor"], [site.id])
    screen.console.expect_http(404)
    screen.sign_in(user, "/inventory?batch=00000000-0000-4000-8000-000000000000")
    expect(screen.page.get_by_test_id("batch-not-found")).to_contain_text("Batch not found")
    screen.check_accessibility("batch not found")
