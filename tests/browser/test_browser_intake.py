"""Receiving stock: every rule of the intake shown on its field before anything is sent, the
API's refusals mapped onto the fields they concern, and the batch the API then holds; and the
inventory as of a past moment."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from playwright.sync_api import expect


def labelled(form, label: str):
    """The control labelled exactly ``label`` (a required one's label ends with " *")."""
    return form.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def field_error(form, label: str):
    """The error shown under the field labelled ``label`` (wired by aria-describedby)."""
    control = labelled(form, label)
    described = control.get_attribute("aria-describedby") or ""
    error_id = next(part for part in described.split() if part.endswith("-error"))
    return form.locator(f"[id='{error_id}']")


def test_every_rule_of_the_intake_is_shown_on_its_field(api, screen):
    site = api.site()
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user, "/inventory/intake")
    page = screen.page
    form = page.get_by_test_id("intake-form")
    form.get_by_role("button", name="Receive batch").click()
    expect(page.get_by_test_id("intake-invalid")).to_be_visible()
    for label, message in [
        ("Vendor", "Choose a vendor or add a new one"),
        ("Brand", "Choose a brand or add a new one"),
        ("Lot", "Choose a lot or add a new one"),
        ("Product", "Choose a product or add a new one"),
        ("Location", "Choose where the stock is put, or add a location"),
        ("Quantity", "Enter a quantity"),
        ("Unit cost", "Required"),
        ("Payment terms", "Choose the payment terms"),
    ]:
        expect(field_error(form, label)).to_have_text(message)
    expect(labelled(form, "Vendor")).to_be_focused()  # the first problem

    labelled(form, "Vendor").select_option("__new__")
    labelled(form, "Brand").select_option("__new__")
    labelled(form, "Product").select_option("__new__")
    labelled(form, "Lot").select_option("__new__")
    labelled(form, "Product name").fill("OG Kush 7g")
    labelled(form, "Category").fill("Flower")
    expect(field_error(form, "Strain")).to_have_text("A Flower product needs its strain")
    labelled(form, "Quantity").fill("0")
    expect(field_error(form, "Quantity")).to_have_text("Must be greater than zero")
    labelled(form, "Quantity").fill("1.00001")
    expect(field_error(form, "Quantity")).to_have_text(
        "Enter a number with at most 4 decimal places"
    )
    labelled(form, "Range").check()
    labelled(form, "Unit cost, minimum").fill("5")
    labelled(form, "Unit cost, maximum").fill("4")
    expect(field_error(form, "Unit cost, maximum")).to_have_text("Must be greater than the minimum")
    labelled(form, "Price per unit").fill("-1")
    expect(field_error(form, "Price per unit")).to_have_text("Must not be negative")
    screen.screenshot("intake-errors")
    screen.check_accessibility("intake with errors")


def test_a_valid_intake_creates_the_batch_and_opens_it(api, screen):
    site = api.site()
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user, "/inventory/intake")
    page = screen.page
    form = page.get_by_test_id("intake-form")
    labelled(form, "Vendor").select_option("__new__")
    labelled(form, "Vendor name").fill("Hilltop Growers")
    labelled(form, "Brand").select_option("__new__")
    labelled(form, "Brand name").fill("Hilltop")
    labelled(form, "Lot").select_option("__new__")
    labelled(form, "Lot code").fill("HT-2026-11")
    labelled(form, "Product").select_option("__new__")
    labelled(form, "Product name").fill("OG Kush 7g")
    labelled(form, "Category").fill("Flower")
    labelled(form, "Strain").fill("OG Kush")
    labelled(form, "Location").select_option(label="Vault/R2")
    labelled(form, "Quantity").fill("250.125")
    labelled(form, "Batch code").fill("HT-INTAKE-1")
    labelled(form, "Grade").fill("AA")
    labelled(form, "Range").check()
    labelled(form, "Unit cost, minimum").fill("3.10")
    labelled(form, "Unit cost, maximum").fill("3.90")
    labelled(form, "Payment terms").select_option("NET_15")
    labelled(form, "Price per unit").fill("7.5")
    screen.screenshot("intake")
    form.get_by_role("button", name="Receive batch").click()

    expect(page.get_by_test_id("toast-success")).to_contain_text("Batch HT-INTAKE-1 received")
    drawer = page.get_by_test_id("batch-detail")
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("250.125")
    batch = api.enhanced(siteId=site.id, search="HT-INTAKE-1")["items"][0]
    assert batch["status"] == "AWAITING_INTAKE"
    assert (batch["vendorName"], batch["brandName"], batch["lotCode"]) == (
        "Hilltop Growers",
        "Hilltop",
        "HT-2026-11",
    )
    assert (batch["productName"], batch["category"], batch["strain"]) == (
        "OG Kush 7g",
        "Flower",
        "OG Kush",
    )
    assert (batch["onHandQty"], batch["unitCogsMin"], batch["unitCogsMax"]) == (
        "250.1250",
        "3.1000",
        "3.9000",
    )
    assert (batch["cogsMode"], batch["paymentTerms"], batch["grade"], batch["ticket"]) == (
        "RANGE",
        "NET_15",
        "AA",
        "7.5000",
    )
    assert api.detail(batch["id"])["locations"][0]["label"] == "Vault/R2"


def test_the_apis_refusal_is_shown_on_the_field_it_concerns(api, screen):
    site = api.site()
    site.intake(code="TAKEN-1")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user, "/inventory/intake")
    page = screen.page
    form = page.get_by_test_id("intake-form")
    # Existing vendor, brand, lot and product this time.
    labelled(form, "Vendor").select_option(label="Green Valley Farms")
    labelled(form, "Brand").select_option(label="Valley Gold")
    labelled(form, "Lot").select_option(label="GV-2026-03")
    labelled(form, "Product").select_option(label="Blue Dream 3.5g (Flower)")
    labelled(form, "Location").select_option(label="Vault/R1")
    labelled(form, "Quantity").fill("10")
    labelled(form, "Batch code").fill("TAKEN-1")
    labelled(form, "Unit cost").fill("2")
    labelled(form, "Payment terms").select_option("COD")
    screen.console.expect_http(409)
    form.get_by_role("button", name="Receive batch").click()
    expect(page.get_by_test_id("toast-error")).to_contain_text("The batch was not received")
    expect(field_error(form, "Batch code")).to_contain_text(
        "A batch with code 'TAKEN-1' exists already"
    )
    assert len(api.enhanced(siteId=site.id, search="TAKEN-1")["items"]) == 1


def test_inventory_as_of_a_past_moment_replays_the_ledger(api, screen):
    site = api.site()
    batch = site.live(code="ASOF-1", quantity="80")
    time.sleep(1.1)
    between = datetime.now(UTC).replace(microsecond=0)
    time.sleep(1.1)
    api.ok(
        "POST",
        f"/api/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "-30", "reason": "LOST"},
    )
    user = api.user(["Auditor"], [site.id])
    screen.sign_in(user, "/inventory/as-of")
    page = screen.page
    # The browser runs in UTC (the fixture's time zone): the input takes UTC wall-clock time.
    page.get_by_label("Date and time (your time zone)").fill(between.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Show inventory").click()
    row = page.get_by_test_id("as-of-table").locator("tr", has_text="ASOF-1")
    expect(row.locator("td").nth(1)).to_have_text("80")  # before the adjustment
    held = api.ok(
        "GET", "/api/v1/inventory/as-of", params={"siteId": site.id, "at": between.isoformat()}
    )
    assert [(b["code"], b["onHandQty"]) for b in held["items"]] == [("ASOF-1", "80.0000")]
    screen.screenshot("inventory-as-of")
    screen.check_accessibility("inventory as of")

    page.get_by_label("Date and time (your time zone)").fill(
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )
    page.get_by_role("button", name="Show inventory").click()
    expect(row.locator("td").nth(1)).to_have_text("50")  # after it
