"""Cultivation in the browser (the guide's "Create Plant Batch" and "Record Harvest", its
cultivation scenario): a plant batch planted through the form that shows the guide's validation
table on its fields, adjusted, moved, split, partly destroyed with its waste, moved into growth
as tagged plants, flowered, harvested with each plant's weight, its waste, packages made from
the harvest and the harvest finished and unfinished; each step checked on the screen and in what
the API then holds. And the screens' menus and actions by permission, their empty and not-found
states."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Locator, expect

from tests.browser.conftest import Api, Screen

# Yesterday in UTC is never after the facility's today in a US state (the API's rule is "not
# after the facility's today"); today in UTC can be, in the evening of the Americas.
DAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
DATE_FIELD = re.compile(r"^Date\W*$")  # "Date *" (required), not "Planted date"
FIRST_TAG = "1A4FF0100000022000000501"
TAGS = [FIRST_TAG[:-3] + str(501 + n) for n in range(3)]


def dialog_named(screen: Screen, test_id: str) -> Locator:
    dialog = screen.page.get_by_test_id(test_id)
    expect(dialog).to_be_visible()
    return dialog


def fill_date(scope: Locator) -> None:
    scope.get_by_label(DATE_FIELD).fill(DAY)


def act(screen: Screen, button: str, test_id: str) -> Locator:
    """An action of the detail page, opened with the keyboard (focus, Enter)."""
    screen.page.get_by_role("group", name="Actions").get_by_role(
        "button", name=button, exact=True
    ).focus()
    screen.page.keyboard.press("Enter")
    return dialog_named(screen, test_id)


def saved(dialog: Locator) -> None:
    expect(dialog).to_have_count(0)


def test_the_guides_cultivation_from_planting_to_packages_through_the_screens(
    api: Api, screen: Screen
) -> None:
    site = api.site("Bend grow")
    product = f"OG Kush bulk {uuid.uuid4().hex[:6]}"  # a product measured in grams, as the harvest
    site.intake(
        product={
            "name": product,
            "category": "Flower",
            "strain": "OG Kush",
            "unitOfMeasure": "Grams",
        }
    )
    grower = api.user(["Inventory"], [site.id])
    screen.sign_in(grower, "/cultivation/plant-batches")
    page = screen.page
    page.get_by_test_id("site-switcher").select_option(site.id)
    expect(page.get_by_test_id("plant-batches-empty")).to_be_visible()
    screen.screenshot("cultivation-plant-batches-empty")

    # Plant: the guide's validation table, each rule on its field, before anything is sent.
    page.get_by_role("link", name="New plant batch").click()
    form = page.get_by_test_id("plant-batch-form")
    form.get_by_label("Planted date").fill("")
    form.get_by_role("button", name="Plant batch").click()
    expect(page.get_by_test_id("form-invalid")).to_contain_text("6 to fix")
    expect(form.get_by_label("Name")).to_be_focused()
    expect(form).to_contain_text('Choose "Seed" or "Clone"')
    expect(form).to_contain_text("Choose one of the facility's locations")
    expect(form).to_contain_text("Unique per facility")
    form.get_by_label("Count").fill("1.5")
    expect(form).to_contain_text("Enter a positive whole number of plants")
    form.get_by_label("Count").fill("0")
    expect(form).to_contain_text("Must be a positive whole number")
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    form.get_by_label("Planted date").fill(future)
    expect(form).to_contain_text("Must not be in the future")
    screen.check_accessibility("new plant batch, its rules on the fields")
    screen.screenshot("cultivation-plant-batch-form")
    form.get_by_label("Name").fill("OG-2026-01")
    form.get_by_label("Type").select_option("Seed")
    form.get_by_label("Count").fill("12")
    form.get_by_label("Strain").fill("OG Kush")
    form.get_by_label("Location").select_option(site.locations[0])
    form.get_by_label("Planted date").fill(DAY)
    form.get_by_role("button", name="Plant batch").click()

    detail = page.get_by_test_id("plant-batch")
    expect(page.get_by_role("heading", name="Plant batch OG-2026-01")).to_be_visible()
    expect(detail.get_by_test_id("count")).to_have_text("12")
    batch_id = page.url.rsplit("/", 1)[-1]
    held = api.ok("GET", f"/api/v1/plant-batches/{batch_id}")
    assert (held["name"], held["type"], held["count"], held["strain"], held["plantedDate"]) == (
        "OG-2026-01",
        "Seed",
        12,
        "OG Kush",
        DAY,
    )

    # Adjust the count: signed, with the state's reason.
    dialog = act(screen, "Adjust count", "adjust-count-dialog")
    dialog.get_by_label("Plants (+/-)").fill("-13")
    expect(dialog).to_contain_text("Only 12 plants are in the batch")
    dialog.get_by_label("Plants (+/-)").fill("-1")
    dialog.get_by_label("Adjustment reason").fill("Dead")
    dialog.get_by_label("Reason note").fill("damping off")
    fill_date(dialog)
    dialog.get_by_role("button", name="Save adjustment").click()
    saved(dialog)
    expect(detail.get_by_test_id("count")).to_have_text("11")

    # Move it to the other room.
    dialog = act(screen, "Move", "move-dialog")
    dialog.get_by_label("New location").select_option(site.locations[1])
    fill_date(dialog)
    dialog.get_by_role("button", name="Move").click()
    saved(dialog)
    expect(detail.get_by_test_id("location")).to_have_text("Vault/R2")

    # Split two plants off into a batch of their own.
    dialog = act(screen, "Split", "split-dialog")
    dialog.get_by_label("New batch name").fill("OG-2026-01-B")
    dialog.get_by_label("Plants").fill("2")
    fill_date(dialog)
    dialog.get_by_role("button", name="Split").click()
    saved(dialog)
    expect(detail.get_by_test_id("count")).to_have_text("9")

    # Destroy one plant, with its waste.
    dialog = act(screen, "Destroy plants", "destroy-dialog")
    dialog.get_by_label("Plants").fill("1")
    dialog.get_by_label("Waste method").fill("Grinder")
    dialog.get_by_label("Waste reason").fill("Male plants")
    dialog.get_by_label("Waste weight").fill("12.5")
    fill_date(dialog)
    dialog.get_by_role("button", name="Destroy plants").click()
    saved(dialog)
    expect(detail.get_by_test_id("count")).to_have_text("8")
    expect(detail.get_by_test_id("destroyed-count")).to_have_text("1")

    # Three plants into growth, tagged in sequence.
    dialog = act(screen, "Move into growth", "growth-dialog")
    dialog.get_by_label("Plants").fill("3")
    dialog.get_by_label("First plant tag").fill("short")
    expect(dialog).to_contain_text("A Metrc tag is 24 letters and digits")
    dialog.get_by_label("First plant tag").fill(FIRST_TAG)
    fill_date(dialog)
    dialog.get_by_role("button", name="Move into growth").click()
    saved(dialog)
    expect(detail.get_by_test_id("count")).to_have_text("5")
    expect(detail.get_by_test_id("tracked-count")).to_have_text("3")
    expect(detail.get_by_test_id("batch-plants").locator("tbody tr")).to_have_count(3)

    ledger = detail.get_by_test_id("plant-ledger").locator("tbody tr")
    held = api.ok("GET", f"/api/v1/plant-batches/{batch_id}")
    movements = api.ok("GET", f"/api/v1/plant-batches/{batch_id}/movements")["items"]
    assert (held["count"], held["trackedCount"], held["destroyedCount"]) == (5, 3, 1)
    assert held["locationLabel"] == "Vault/R2"
    assert [m["type"] for m in movements] == [
        "PLANTED",
        "ADJUSTMENT",
        "MOVE",
        "SPLIT_OUT",
        "DESTROYED",
        "GROWTH_PHASE",
    ]
    assert movements[1]["reason"] == "Dead"
    assert all(m["actualDate"] == DAY for m in movements)
    expect(ledger).to_have_count(len(movements))
    split_off = api.ok("GET", "/api/v1/plant-batches", params={"siteId": site.id})["items"]
    assert {(b["name"], b["count"]) for b in split_off} == {("OG-2026-01", 5), ("OG-2026-01-B", 2)}
    screen.check_accessibility("plant batch")
    screen.screenshot("cultivation-plant-batch")

    # Flower them on the Plants screen (the growth phase of tracked plants).
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Plants", exact=True
    ).click()
    plants = page.get_by_test_id("plants")
    expect(plants.locator("tbody tr")).to_have_count(3)
    for tag in TAGS:
        page.get_by_label(f"Choose plant {tag}").check()
    page.get_by_test_id("plants-bar").get_by_role("button", name="Move to flowering").click()
    dialog = dialog_named(screen, "change-phase-dialog")
    fill_date(dialog)
    dialog.get_by_role("button", name="Move to flowering").click()
    saved(dialog)
    expect(plants.locator("tbody tr .phase-flowering")).to_have_count(3)
    flowering = api.ok(
        "GET", "/api/v1/plants", params={"siteId": site.id, "growthPhase": "Flowering"}
    )["items"]
    assert sorted(p["tag"] for p in flowering) == TAGS
    screen.check_accessibility("plants")
    screen.screenshot("cultivation-plants")

    # Record the harvest: the plants chosen, each one's wet weight, the waste.
    for tag in TAGS[:2]:
        page.get_by_label(f"Choose plant {tag}").check()
    page.get_by_test_id("plants-bar").get_by_role("link", name="Record harvest").click()
    form = page.get_by_test_id("harvest-form")
    expect(form.get_by_label(f"Harvest plant {TAGS[0]}")).to_be_checked()
    expect(form.get_by_label(f"Harvest plant {TAGS[2]}")).not_to_be_checked()
    form.get_by_label("Harvest name").fill("OG-H-1")
    form.get_by_label("Drying location").select_option(site.locations[0])
    form.get_by_label("Harvest date").fill(DAY)
    form.get_by_label("Waste weight").fill("10")
    form.get_by_label(f"Wet weight of {TAGS[0]}").fill("410.1234")
    form.get_by_role("button", name="Record harvest").click()
    expect(page.get_by_test_id("form-invalid")).to_contain_text("1 to fix")  # the second weight
    form.get_by_label(f"Wet weight of {TAGS[1]}").fill("389.8766")
    screen.check_accessibility("record harvest")
    screen.screenshot("cultivation-record-harvest")
    form.get_by_role("button", name="Record harvest").click()

    harvest = page.get_by_test_id("harvest")
    expect(page.get_by_role("heading", name="Harvest OG-H-1")).to_be_visible()
    expect(harvest.get_by_test_id("wet-weight")).to_have_text("800")
    expect(harvest.get_by_test_id("current-weight")).to_have_text("790")
    harvest_id = page.url.rsplit("/", 1)[-1]

    # Waste, then packages from what is left: more than is left is refused on the screen.
    dialog = act(screen, "Record waste", "waste-dialog")
    dialog.get_by_label("Waste type").select_option("Fibrous")
    dialog.get_by_label("Weight (Grams)").fill("800")
    expect(dialog).to_contain_text("Only 790 Grams are left")
    dialog.get_by_label("Weight (Grams)").fill("40")
    fill_date(dialog)
    dialog.get_by_role("button", name="Record waste").click()
    saved(dialog)
    expect(harvest.get_by_test_id("current-weight")).to_have_text("750")

    dialog = act(screen, "Create packages", "packages-dialog")
    product_label = f"{product} (Flower)"
    first = dialog.get_by_test_id("package-0")
    first.get_by_label("Product").select_option(label=product_label)
    first.get_by_label("Weight (Grams)").fill("453.5924")
    first.get_by_label("Location").select_option(site.locations[0])
    first.get_by_label("Unit cost").fill("1.25")
    dialog.get_by_role("button", name="Add a package").click()
    second = dialog.get_by_test_id("package-1")
    second.get_by_label("Product").select_option(label=product_label)
    second.get_by_label("Weight (Grams)").fill("300")
    second.get_by_label("Location").select_option(site.locations[1])
    expect(dialog.get_by_test_id("packages-total")).to_contain_text("Only 750 Grams are left")
    second.get_by_label("Weight (Grams)").fill("296.4076")
    expect(dialog.get_by_test_id("packages-total")).to_have_text("Total 750 Grams")
    fill_date(dialog)
    screen.check_accessibility("create packages")
    dialog.get_by_role("button", name="Create 2 packages").click()
    saved(dialog)
    expect(harvest.get_by_test_id("current-weight")).to_have_text("0")
    expect(harvest.get_by_test_id("package-batch")).to_have_count(2)

    held_harvest = api.ok("GET", f"/api/v1/harvests/{harvest_id}")
    h = held_harvest["harvest"]
    assert (h["wetWeight"], h["wasteWeight"], h["packagedWeight"], h["currentWeight"]) == (
        "800.0000",
        "50.0000",
        "750.0000",
        "0.0000",
    )
    assert sorted(p["tag"] for p in held_harvest["plants"]) == TAGS[:2]
    packaged = [m for m in held_harvest["movements"] if m["type"] == "PACKAGED"]
    batches = [api.detail(m["batchId"])["batch"] for m in packaged]
    assert sorted(b["onHandQty"] for b in batches) == ["296.4076", "453.5924"]
    assert {b["status"] for b in batches} == {"AWAITING_INTAKE"}
    expect(harvest.get_by_test_id("harvest-ledger").locator("tbody tr")).to_have_count(
        len(held_harvest["movements"])
    )

    # Finish, and unfinish (a correction): only the action of the status is offered.
    dialog = act(screen, "Finish", "finish-dialog")
    fill_date(dialog)
    dialog.get_by_role("button", name="Finish harvest").click()
    saved(dialog)
    expect(harvest.locator(".badge.harvest-finished")).to_have_text("Finished")
    actions = page.get_by_role("group", name="Actions")
    expect(actions.get_by_role("button")).to_have_text(["Unfinish"])
    assert api.ok("GET", f"/api/v1/harvests/{harvest_id}")["harvest"]["status"] == "FINISHED"
    screen.check_accessibility("harvest")
    screen.screenshot("cultivation-harvest")
    dialog = act(screen, "Unfinish", "unfinish-dialog")
    dialog.get_by_role("button", name="Unfinish harvest").click()
    saved(dialog)
    expect(harvest.locator(".badge.harvest-active")).to_have_text("Active")
    assert api.ok("GET", f"/api/v1/harvests/{harvest_id}")["harvest"]["status"] == "ACTIVE"

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Harvests", exact=True
    ).click()
    row = page.get_by_test_id("harvests").locator("tr[data-name='OG-H-1']")
    expect(row.get_by_test_id("current-weight")).to_have_text("0")
    screen.screenshot("cultivation-harvests")


def test_a_name_already_taken_and_a_stale_version_are_said_on_the_screen(
    api: Api, screen: Screen
) -> None:
    site = api.site()
    body = {
        "siteId": site.id,
        "type": "Clone",
        "count": 4,
        "strain": "Runtz",
        "locationId": site.locations[0],
        "plantedDate": DAY,
    }
    taken = api.ok("POST", "/api/v1/plant-batches", 201, json={**body, "name": "RZ-1"})
    grower = api.user(["Inventory"], [site.id])
    screen.sign_in(grower, "/cultivation/plant-batches/new")
    screen.console.expect_http(409)
    page = screen.page
    page.get_by_test_id("site-switcher").select_option(site.id)
    form = page.get_by_test_id("plant-batch-form")
    form.get_by_label("Name").fill("RZ-1")
    form.get_by_label("Type").select_option("Clone")
    form.get_by_label("Count").fill("4")
    form.get_by_label("Strain").fill("Runtz")
    form.get_by_label("Location").select_option(site.locations[0])
    form.get_by_label("Planted date").fill(DAY)
    form.get_by_role("button", name="Plant batch").click()
    # The API's refusal lands on the name's field.
    name_field = form.locator(".field", has=page.get_by_label("Name"))
    expect(name_field.locator(".field-error")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    listed = api.ok("GET", "/api/v1/plant-batches", params={"siteId": site.id})["items"]
    assert [b["name"] for b in listed] == ["RZ-1"]

    # Someone else adjusts the batch while the page shows the old version.
    batch_id = taken["plantBatch"]["id"]
    screen.goto(f"/cultivation/plant-batches/{batch_id}")
    expect(page.get_by_test_id("count")).to_have_text("4")
    api.ok(
        "POST",
        f"/api/v1/plant-batches/{batch_id}/adjustments",
        json={"quantity": -1, "reason": "Dead", "actualDate": DAY, "version": 1},
    )
    dialog = act(screen, "Adjust count", "adjust-count-dialog")
    dialog.get_by_label("Plants (+/-)").fill("-2")
    dialog.get_by_label("Adjustment reason").fill("Dead")
    fill_date(dialog)
    dialog.get_by_role("button", name="Save adjustment").click()
    expect(dialog.get_by_test_id("conflict")).to_contain_text("Someone changed this plant batch")
    assert api.ok("GET", f"/api/v1/plant-batches/{batch_id}")["count"] == 3
    dialog.get_by_role("button", name="Reload plant batch").click()
    expect(page.get_by_test_id("count")).to_have_text("3")
    dialog.get_by_role("button", name="Save adjustment").click()
    saved(dialog)
    expect(page.get_by_test_id("count")).to_have_text("1")
    assert api.ok("GET", f"/api/v1/plant-batches/{batch_id}")["count"] == 1


def test_cultivation_menus_and_actions_follow_the_users_permissions(
    api: Api, screen: Screen
) -> None:
    site = api.site()
    planted = api.ok(
        "POST",
        "/api/v1/plant-batches",
        201,
        json={
            "siteId": site.id,
            "name": "AUD-1",
            "type": "Seed",
            "count": 3,
            "strain": "Gelato",
            "locationId": site.locations[0],
            "plantedDate": DAY,
        },
    )["plantBatch"]
    auditor = api.user(["Auditor"], [site.id])
    screen.sign_in(auditor, "/cultivation/plant-batches")
    page = screen.page
    menu = page.get_by_role("navigation", name="Main")
    for label in ("Plant batches", "Plants", "Harvests"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.get_by_test_id("plant-batches").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="New plant batch")).to_have_count(0)
    page.get_by_role("link", name="AUD-1").click()
    expect(page.get_by_test_id("count")).to_have_text("3")
    # Read-only: no action the API would refuse.
    expect(page.get_by_role("group", name="Actions").get_by_role("button")).to_have_count(0)
    screen.goto("/cultivation/plant-batches/new")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    screen.goto("/cultivation/harvests")
    expect(page.get_by_role("link", name="Record harvest")).to_have_count(0)
    expect(page.get_by_test_id("harvests-empty")).to_be_visible()
    screen.check_accessibility("harvests, empty")

    # A batch that is not there: said, not an error.
    screen.console.expect_http(404)
    screen.goto(f"/cultivation/plant-batches/{uuid.uuid4()}")
    expect(page.get_by_test_id("not-found")).to_contain_text("This plant batch does not exist")
    screen.goto(f"/cultivation/harvests/{uuid.uuid4()}")
    expect(page.get_by_test_id("not-found")).to_contain_text("This harvest does not exist")
    assert api.ok("GET", f"/api/v1/plant-batches/{planted['id']}")["count"] == 3


def test_the_sales_manager_may_change_plants_but_not_plant_or_harvest(
    api: Api, screen: Screen
) -> None:
    site = api.site()
    planted = api.ok(
        "POST",
        "/api/v1/plant-batches",
        201,
        json={
            "siteId": site.id,
            "name": "SM-1",
            "type": "Seed",
            "count": 3,
            "strain": "Gelato",
            "locationId": site.locations[0],
            "plantedDate": DAY,
        },
    )["plantBatch"]
    manager = api.user(["Sales Manager"], [site.id])
    screen.sign_in(manager, f"/cultivation/plant-batches/{planted['id']}")
    page = screen.page
    actions = page.get_by_role("group", name="Actions").get_by_role("button")
    expect(actions).to_have_text(
        ["Move into growth", "Adjust count", "Move", "Split", "Destroy plants"]
    )
    screen.goto("/cultivation/plant-batches")
    expect(page.get_by_test_id("plant-batches")).to_be_visible()
    expect(page.get_by_role("link", name="New plant batch")).to_have_count(0)
