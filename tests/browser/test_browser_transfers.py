"""Outgoing transfers in the browser, through the whole platform to the Metrc sandbox: a transfer
planned on its form (every rule on its field first), synced only once compliance made its
template in Metrc, sent, its manifest registered in Metrc then shown and downloaded, the
receiver's partial acceptance settled back into inventory; the list filtered by state; an
Auditor offered the screens and no action. Shares the session's platform and the sandbox
license's site with the compliance modules (the sandbox is reset with a second facility, the
destination)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import httpx
from compliance.sandbox_world import (
    ITEM,
    LICENSE,
    RECEIVER,
    RECEIVER_USER_KEY,
    USER_KEY,
    VENDOR_KEY,
    seed,
)
from playwright.sync_api import expect
from shared.testing.platform import RunningPlatform

from tests.browser.conftest import Api, Screen, Site
from tests.browser.test_browser_compliance import _rules, _tags, _until

STORE = "SF-SBX-CO-21-9001"  # the receiving facility, in the sandbox beside the grower
METRC_WAIT = 60_000  # ms: compliance's worker works in rounds of a few seconds


def _tagged_batches(api: Api, site: Site, tags: list[str]) -> list[dict[str, Any]]:
    """Live batches taken in with these package tags, each linked to its package in Metrc."""
    product = {"name": ITEM, "category": "Flower", "strain": "Blue Dream", "unitOfMeasure": "Grams"}
    batches = [
        site.live(
            product=product,
            quantity="10",
            package={"tag": tag, "source": {"kind": "OPENING_BALANCE"}},
        )
        for tag in tags
    ]
    for batch in batches:

        def linked(batch_id: str = batch["id"]) -> bool:
            answer = api.client.get(f"/api/v1/batches/{batch_id}/metrc-link")
            return answer.status_code == 200 and answer.json()["state"] == "LINKED"

        _until(linked, f"batch {batch['code']} in Metrc")
    return batches


def _sandbox(metrc_url: str, path: str, body: Any = None) -> Any:
    answer = httpx.post(metrc_url + path, json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


def test_a_transfer_is_planned_synced_sent_printed_and_settled_from_the_screens(
    api: Api, screen: Screen, license_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    metrc_url = web_platform.compliance.metrc_url
    world = seed(package_tags=10)
    world["facilities"].append(
        {"license_number": STORE, "name": "Canopy Store", "license_type": "Marijuana Retail"}
    )
    _sandbox(metrc_url, "/_sandbox/reset", world)
    site = license_site
    _rules(api, site, metrc_url)
    api.ok(
        "PUT",
        f"/api/v1/compliance/credentials/{LICENSE}",
        json={"state": "CO", "vendorKey": VENDOR_KEY, "userKey": USER_KEY},
    )
    # The reset frees every tag in Metrc, but the site's batches from the other browser modules
    # keep theirs in Canopy (the first two and the last three): these three no module takes.
    shipped, returned, spare = _tagged_batches(api, site, _tags(web_platform)[3:6])

    owner = api.user(["Owner"], [site.id])
    screen.sign_in(owner, "/transfers/outgoing")
    page = screen.page
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Outgoing transfers")
    ).to_be_visible()
    page.get_by_role("link", name="New outgoing transfer").click()
    form = page.get_by_test_id("transfer-form")

    # Every rule on its field before anything is sent.
    form.get_by_role("button", name="Plan transfer").click()
    expect(page.get_by_test_id("form-invalid")).to_be_visible()
    expect(page.get_by_test_id("no-lines")).to_have_text("Choose at least one package")
    expect(form.get_by_label("Destination license number")).to_have_attribute(
        "aria-invalid", "true"
    )
    form.get_by_label("Destination license number").fill(LICENSE)
    expect(form.get_by_text("This is your own facility's license")).to_be_visible()
    form.get_by_label("Estimated arrival").fill("2020-01-01T08:00")
    expect(form.get_by_text("Must be after the estimated departure")).to_be_visible()
    screen.check_accessibility("new outgoing transfer, with its rules on the fields")
    screen.screenshot("transfer-form-errors")

    # Packages: found by their codes, each shipped whole; one with a wholesale price.
    for batch in (shipped, returned):
        form.get_by_test_id("batch-search").fill(batch["code"])
        form.get_by_label(f"Ship batch {batch['code']}").check()
    lines = form.get_by_test_id("transfer-lines").locator("tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text(shipped["packageTag"])
    expect(lines.first).to_contain_text("10 Grams")
    form.get_by_label(f"Wholesale price of {shipped['code']}").fill("-1")
    expect(form.get_by_text("Must not be negative")).to_be_visible()
    form.get_by_label(f"Wholesale price of {shipped['code']}").fill("1200")
    for label, value in (
        ("Destination license number", STORE),
        ("Destination name", "Canopy Store"),
        ("Planned route", "I-25 south to Pueblo"),
        ("Transporter license number", LICENSE),
        ("Driver name", "Dana Driver"),
        ("Driver occupational license number", "OCC-1234"),
        ("Driver's license number", "DL-99887"),
        ("Phone number", "303-555-0100"),
        ("Vehicle make", "Ford"),
        ("Vehicle model", "Transit"),
        ("Vehicle license plate", "CNP-042"),
        ("Estimated departure", "2030-01-02T08:00"),
        ("Estimated arrival", "2030-01-02T11:30"),
    ):
        form.get_by_label(label).fill(value)
    screen.screenshot("transfer-form")
    form.get_by_role("button", name="Plan transfer").click()

    # The transfer's page: its packages reserved, as the API holds them.
    expect(page.get_by_role("heading", name="Transfer to Canopy Store")).to_be_visible()
    found = re.search(r"/transfers/outgoing/([0-9a-f-]{36})$", page.url)
    assert found, page.url
    transfer_id = found.group(1)
    held = api.ok("GET", f"/api/v1/outgoing-transfers/{transfer_id}")
    assert held["status"] == "CREATED"
    assert (held["destinationLicenseNumber"], held["driverName"]) == (STORE, "Dana Driver")
    assert held["estimatedDeparture"].startswith("2030-01-02T08:00")  # the browser runs in UTC
    assert [(x["packageTag"], x["quantity"], x["wholesalePrice"]) for x in held["lines"]] == [
        (shipped["packageTag"], "10.0000", "1200.0000"),
        (returned["packageTag"], "10.0000", None),
    ]
    rows = page.get_by_test_id("transfer-lines").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.get_by_test_id("line-state")).to_have_text(["Reserved", "Reserved"])
    assert api.detail(shipped["id"])["batch"]["reservedQty"] == "10.0000"

    # Synced only once compliance made the template in Metrc (and read its Id back).
    expect(page.get_by_test_id("metrc-synced")).to_have_text(
        "Yes: Metrc has the template", timeout=METRC_WAIT
    )
    manifest = api.ok("GET", f"/api/v1/compliance/transfers/{transfer_id}")
    assert manifest["synced"] is True
    template_id = manifest["metrcTemplateId"]
    expect(page.get_by_test_id("metrc-template")).to_contain_text(str(template_id))
    templates = httpx.get(metrc_url + "/_sandbox/state", timeout=30).json()["transfer_templates"]
    (template,) = [t for t in templates if t["Id"] == template_id]
    assert {p["label"] for d in template["deliveries"] for p in d["packages"]} == {
        shipped["packageTag"],
        returned["packageTag"],
    }
    # No manifest yet: printing is offered, disabled, with the reason.
    expect(page.get_by_role("button", name="Print manifest")).to_be_disabled()
    expect(page.get_by_test_id("manifest-why")).to_contain_text("MANIFEST_NOT_REGISTERED")
    screen.check_accessibility("a planned transfer, synced")
    screen.screenshot("transfer-synced")

    # Send, after a confirmation: the packages leave the inventory.
    page.get_by_role("button", name="Send", exact=True).click()
    dialog = page.get_by_test_id("send-dialog")
    screen.check_accessibility("send confirmation")
    dialog.get_by_role("button", name="Send transfer").click()
    expect(page.get_by_test_id("transfer").get_by_test_id("transfer-status").first).to_have_text(
        "Sent"
    )
    expect(rows.get_by_test_id("line-state")).to_have_text(["Shipped", "Shipped"])
    expect(page.get_by_role("button", name="Cancel transfer")).to_have_count(0)
    assert api.ok("GET", f"/api/v1/outgoing-transfers/{transfer_id}")["status"] == "SENT"
    assert api.detail(shipped["id"])["batch"]["onHandQty"] == "0.0000"

    # Registered as a manifest in Metrc: its number shows, and it prints and downloads.
    sent = _sandbox(metrc_url, f"/_sandbox/transfers/{template_id}/send")
    number = sent["manifest_number"]
    expect(page.get_by_test_id("metrc-manifest")).to_have_text(number, timeout=METRC_WAIT)
    page.get_by_role("button", name="Print manifest").click()
    frame = page.frame_locator("[data-testid=manifest-frame]")
    expect(frame.locator("body")).to_contain_text(number)
    screen.screenshot("transfer-manifest")
    page.get_by_test_id("manifest-dialog").get_by_role("button", name="Close").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download manifest PDF").click()
    assert download.value.suggested_filename == f"manifest-{number}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # The receiver rejects one package: settled back into inventory, that package returned.
    (delivery_id,) = sent["delivery_ids"]
    _sandbox(
        metrc_url,
        f"/_sandbox/transfers/deliveries/{delivery_id}/receive",
        {"packages": [{"label": returned["packageTag"], "accepted": False}]},
    )
    expect(page.get_by_test_id("settlement-headline")).to_contain_text(
        "Partially accepted", timeout=METRC_WAIT
    )
    expect(page.get_by_test_id("returned")).to_contain_text(returned["code"])
    expect(rows.get_by_test_id("line-state")).to_have_text(["Accepted", "Rejected (returned)"])
    settled = api.ok("GET", f"/api/v1/outgoing-transfers/{transfer_id}")
    assert settled["status"] == "PARTIALLY_ACCEPTED"
    assert [x["state"] for x in settled["lines"]] == ["ACCEPTED", "REJECTED"]
    assert api.detail(returned["id"])["batch"]["onHandQty"] == "10.0000"
    screen.check_accessibility("a settled transfer")
    screen.screenshot("transfer-settled")

    # A second transfer planned and cancelled after its confirmation: the package is released.
    other = api.ok(
        "POST",
        "/api/v1/outgoing-transfers",
        201,
        json={**_shipment(held, site.id), "lines": [{"batchId": spare["id"]}]},
    )["transfer"]
    page.goto(f"{screen.base_url}/transfers/outgoing/{other['id']}")
    page.get_by_role("button", name="Cancel transfer").click()
    page.get_by_test_id("cancel-dialog").get_by_label("Reason (optional)").fill("no truck")
    page.get_by_test_id("cancel-dialog").get_by_role("button", name="Cancel transfer").click()
    expect(page.get_by_test_id("transfer")).to_have_attribute("data-status", "CANCELLED")
    assert api.ok("GET", f"/api/v1/outgoing-transfers/{other['id']}")["status"] == "CANCELLED"
    assert api.detail(spare["id"])["batch"]["reservedQty"] == "0.0000"

    # The list, filtered by state (in the URL).
    page.get_by_role("link", name="All outgoing transfers").click()
    row = page.get_by_test_id("transfers").locator(f"tr[data-id='{transfer_id}']")
    expect(row.get_by_test_id("transfer-status")).to_have_text("Partially accepted")
    expect(row.get_by_test_id("line-count")).to_have_text("2")
    expect(row.get_by_test_id("metrc-sync")).to_have_text("Settled in Metrc")
    page.get_by_test_id("transfer-status-filter").select_option("CANCELLED")
    expect(page).to_have_url(re.compile("status=CANCELLED"))
    listed = page.get_by_test_id("transfers").locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.first).to_have_attribute("data-id", other["id"])
    page.get_by_test_id("transfer-status-filter").select_option("")
    expect(row).to_be_visible()
    screen.check_accessibility("outgoing transfers")
    screen.screenshot("transfers-list")

    # A transfer that does not exist says so.
    screen.console.expect_http(404)
    page.goto(f"{screen.base_url}/transfers/outgoing/{uuid.uuid4()}")
    expect(page.get_by_test_id("not-found")).to_contain_text("This transfer does not exist")

    # An Auditor: the screens, no action, no Metrc side (compliance:sync is not theirs).
    auditor = api.user(["Auditor"], [site.id])
    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    screen.sign_in(auditor, f"/transfers/outgoing/{transfer_id}")
    expect(page.get_by_role("heading", name="Transfer to Canopy Store")).to_be_visible()
    expect(page.get_by_role("group", name="Actions").get_by_role("button")).to_have_count(0)
    expect(page.get_by_test_id("transfer-metrc")).to_have_count(0)
    page.get_by_role("link", name="All outgoing transfers").click()
    expect(page.get_by_test_id("transfers")).to_be_visible()
    expect(page.get_by_role("link", name="New outgoing transfer")).to_have_count(0)


def _shipment(held: dict[str, Any], site_id: str) -> dict[str, Any]:
    """The shipment of a transfer the API holds, as a new transfer's body (another truck)."""
    keys = (
        "destinationLicenseNumber", "destinationName", "transferType", "plannedRoute",
        "transporterLicenseNumber", "transporterName", "driverName",
        "driverOccupationalLicenseNumber", "driverLicenseNumber", "phoneNumber", "vehicleMake",
        "vehicleModel", "vehicleLicensePlate", "estimatedDeparture", "estimatedArrival",
    )  # fmt: skip
    return {"siteId": site_id, **{key: held[key] for key in keys}}


QUANTITIES = ("10", "5", "8")  # the incoming packages, as shipped (Grams)


def _incoming_delivery(metrc_url: str) -> tuple[dict[str, Any], list[str]]:
    """A manifest from the second facility (RECEIVER, "Canopy Store") to the license: the sandbox
    reset with three packages at the shipper (its own tag block: tags no other browser module
    uses), Metrc's outgoing template made through Metrc's API as the shipper and registered
    (the shipper's UI: the sandbox's call). Answers the sandbox's send and the three tags, in the order of QUANTITIES."""
    world = seed(package_tags=10)
    world["packages"] = [
        {"license_number": RECEIVER, "item": ITEM, "quantity": quantity, "unit_of_measure": "Grams"}
        for quantity in QUANTITIES
    ]
    _sandbox(metrc_url, "/_sandbox/reset", world)
    with httpx.Client(
        base_url=metrc_url,
        auth=(VENDOR_KEY, RECEIVER_USER_KEY),
        params={"licenseNumber": RECEIVER},
        timeout=30,
    ) as shipper:
        held = {
            Decimal(str(p["Quantity"])): p["Label"]
            for p in shipper.get("/packages/v2/active").json()["Data"]
        }
        tags = [held[Decimal(quantity)] for quantity in QUANTITIES]
        template = {
            "Name": "Store returns run", "TransporterFacilityLicenseNumber": RECEIVER,
            "DriverName": "Robin Road", "DriverOccupationalLicenseNumber": "OCC-7",
            "VehicleMake": "Ford", "VehicleModel": "Transit", "VehicleLicensePlateNumber": "STR-7",
            "Destinations": [{
                "RecipientLicenseNumber": LICENSE, "TransferTypeName": "Wholesale",
                "PlannedRoute": "I-25 north", "Transporters": [],
                "EstimatedDepartureDateTime": "2030-03-04T08:00:00-07:00",
                "EstimatedArrivalDateTime": "2030-03-04T10:30:00-07:00",
                "Packages": [
                    {"PackageLabel": tag, "WholesalePrice": price}
                    for tag, price in zip(tags, ("120.00", "50.00", "80.00"), strict=True)
                ],
            }],
        }  # fmt: skip
        made = shipper.post("/transfers/v2/templates/outgoing", json=[template])
        assert made.status_code == 200, made.text
        (template_id,) = made.json()["Ids"]
    return _sandbox(metrc_url, f"/_sandbox/transfers/{template_id}/send"), tags


def test_an_incoming_delivery_is_listed_opened_and_received_into_batches_from_the_screens(
    api: Api, screen: Screen, license_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    metrc_url = web_platform.compliance.metrc_url
    site = license_site
    page = screen.page

    # Nothing pulled yet: the empty list says where deliveries come from. An Auditor reads.
    auditor = api.user(["Auditor"], [site.id])
    screen.sign_in(auditor, "/transfers/incoming")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Incoming transfers")
    ).to_be_visible()
    expect(page.get_by_test_id("incoming-empty")).to_contain_text(
        "Deliveries other facilities send to this site's license appear here once compliance"
        " pulls them"
    )

    # The shipper's manifest, decided in Metrc by the receiver (Metrc's UI: the sandbox's call):
    # one package accepted as shipped, one with less than was shipped, one rejected.
    sent, (whole, short, refused) = _incoming_delivery(metrc_url)
    _rules(api, site, metrc_url)
    api.ok(
        "PUT",
        f"/api/v1/compliance/credentials/{LICENSE}",
        json={"state": "CO", "vendorKey": VENDOR_KEY, "userKey": USER_KEY},
    )
    (delivery_id,) = sent["delivery_ids"]
    _sandbox(
        metrc_url,
        f"/_sandbox/transfers/deliveries/{delivery_id}/receive",
        {"packages": [
            {"label": short, "accepted": True, "received_quantity": "4.5"},
            {"label": refused, "accepted": False},
        ]},
    )  # fmt: skip
    api.ok(
        "POST", "/api/v1/compliance/sync", 202, json={"siteId": site.id, "syncTypes": ["transfers"]}
    )
    decided = {whole: "Accepted", short: "Accepted", refused: "Rejected"}

    def as_decided(page: dict[str, Any]) -> bool:
        # The receiver's decisions, not just the delivery: a scheduled pull between the send
        # and the receipt records it as shipped first, and the requested pull brings them.
        return any(
            t["deliveryId"] == delivery_id
            and {p["packageTag"]: p["metrcState"] for p in t["packages"]} == decided
            for t in page["items"]
        )

    pulled = api.eventually("/api/v1/incoming-transfers", as_decided, timeout=60, siteId=site.id)
    (incoming,) = [t for t in pulled["items"] if t["deliveryId"] == delivery_id]

    # The list: manifest, shipper, state, packages; filtered by state in the URL.
    page.reload()
    row = page.get_by_test_id("incoming-transfers").locator(f"tr[data-id='{incoming['id']}']")
    expect(row.get_by_role("link")).to_have_text(f"Manifest {sent['manifest_number']}")
    expect(row.get_by_test_id("shipper")).to_have_text(f"Canopy Store ({RECEIVER})")
    expect(row.get_by_test_id("incoming-status")).to_have_text("Not received")
    expect(row.get_by_test_id("package-count")).to_have_text("3")
    page.get_by_test_id("incoming-status-filter").select_option("RECEIVED")
    expect(page).to_have_url(re.compile("status=RECEIVED"))
    expect(page.get_by_test_id("incoming-empty")).to_contain_text("None in this state")
    page.get_by_role("button", name="Show every state").click()
    screen.check_accessibility("incoming transfers")
    screen.screenshot("incoming-transfers")
    # A hand-edited state the list does not know is no filter, not a broken page.
    screen.goto("/transfers/incoming?status=FOO")
    expect(row.get_by_test_id("incoming-status")).to_have_text("Not received")
    expect(page.get_by_test_id("incoming-status-filter")).to_have_value("")

    # The transfer: Metrc's view of each package beside ours; no Receive for an Auditor.
    row.get_by_role("link").click()
    expect(
        page.get_by_role("heading", name=f"Manifest {sent['manifest_number']} from Canopy Store")
    ).to_be_visible()
    packages = page.get_by_test_id("incoming-packages")
    for tag, metrc in ((whole, "Accepted"), (short, "Accepted"), (refused, "Rejected")):
        line = packages.locator(f"tr[data-tag='{tag}']")
        expect(line.get_by_test_id("metrc-state")).to_have_text(metrc)
        expect(line.get_by_test_id("received-state")).to_have_text("Not received")
    expect(packages.locator(f"tr[data-tag='{short}']").get_by_test_id("shipped")).to_have_text(
        "5 Grams"
    )
    expect(page.get_by_role("link", name="Receive", exact=True)).to_have_count(0)

    # The Owner receives it: the form's rules first, then the choices.
    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    owner = api.user(["Owner"], [site.id])
    brand = api.ok("POST", "/api/v1/brands", 201, json={"name": "Front Range Imports"})
    product = api.ok("POST", "/api/v1/products", 201, json={
        "name": "Store Flower", "category": "Flower", "strain": "Blue Dream",
        "brandId": brand["id"], "unitOfMeasure": "Grams",
    })  # fmt: skip
    api.ok("POST", "/api/v1/products", 201, json={
        "name": "Store Pre-roll", "category": "Pre-Roll", "brandId": brand["id"],
        "unitOfMeasure": "Each",
    })  # fmt: skip
    screen.sign_in(owner, f"/transfers/incoming/{incoming['id']}")
    page.get_by_role("link", name="Receive", exact=True).click()
    form = page.get_by_test_id("receive-form")
    # Metrc's rejection is shown, and the package cannot be accepted; quantities start at
    # what Metrc says was received.
    expect(form.get_by_label(f"Accept package {refused}")).to_be_disabled()
    expect(form.locator(f"tr[data-tag='{refused}']").get_by_test_id("why-not")).to_contain_text(
        "Metrc shows this package rejected"
    )
    expect(form.get_by_label(f"Received quantity of {whole} (Grams)")).to_have_value("10")
    expect(form.get_by_label(f"Received quantity of {short} (Grams)")).to_have_value("4.5")
    # Products are offered only in the package's unit (the API refuses another).
    choices = form.get_by_label(f"Product of {whole}").locator("option")
    expect(choices.filter(has_text="Store Flower")).to_have_count(1)
    expect(choices.filter(has_text="Store Pre-roll")).to_have_count(0)
    form.get_by_label(f"Received quantity of {whole} (Grams)").fill("0")
    form.get_by_role("button", name="Receive transfer").click()
    expect(page.get_by_test_id("form-invalid")).to_contain_text("2 to fix")
    expect(form.get_by_text("Must be greater than zero")).to_be_visible()
    expect(form.get_by_text("Choose where the accepted packages are put")).to_be_visible()
    form.get_by_label(f"Received quantity of {whole} (Grams)").fill("10")
    form.get_by_label("Location").select_option(label="Vault")
    form.get_by_label(f"Product of {whole}").select_option(product["id"])
    screen.check_accessibility("receiving an incoming transfer")
    screen.screenshot("incoming-receive")
    form.get_by_role("button", name="Receive transfer").click()

    # Received: read-only, what was received, each accepted package a batch.
    transfer = page.get_by_test_id("incoming-transfer")
    expect(transfer).to_have_attribute("data-status", "RECEIVED")
    expect(page.get_by_test_id("receipt-headline")).to_contain_text(
        "2 packages accepted, 1 rejected"
    )
    expect(page.get_by_test_id("toast-success").last).to_contain_text("2 batches created")
    held = api.ok("GET", f"/api/v1/incoming-transfers/{incoming['id']}")
    assert held["status"] == "RECEIVED"
    by_tag = {p["packageTag"]: p for p in held["packages"]}
    assert [(by_tag[t]["state"], by_tag[t]["receivedQuantity"]) for t in (whole, short, refused)] == [
        ("ACCEPTED", "10.0000"), ("ACCEPTED", "4.5000"), ("REJECTED", None),
    ]  # fmt: skip
    assert by_tag[refused]["batchId"] is None
    for tag, quantity, shown in ((whole, "10.0000", "10 Grams"), (short, "4.5000", "4.5 Grams")):
        line = packages.locator(f"tr[data-tag='{tag}']")
        expect(line.get_by_test_id("received-state")).to_have_text("Accepted")
        expect(line.get_by_test_id("received-quantity")).to_have_text(shown)
        batch = api.detail(by_tag[tag]["batchId"])["batch"]
        assert (batch["packageTag"], batch["onHandQty"], batch["siteId"]) == (
            tag,
            quantity,
            site.id,
        )
        assert batch["vendorName"] == "Canopy Store"
        expect(line.get_by_role("link", name=f"Open batch of package {tag}")).to_have_attribute(
            "href", f"/inventory?batch={by_tag[tag]['batchId']}"
        )
    assert api.detail(by_tag[whole]["batchId"])["batch"]["productId"] == product["id"]
    expect(
        packages.locator(f"tr[data-tag='{refused}']").get_by_test_id("received-state")
    ).to_have_text("Rejected")
    expect(page.get_by_role("link", name="Receive", exact=True)).to_have_count(0)
    screen.check_accessibility("a received incoming transfer")
    screen.screenshot("incoming-received")

    # Received once: the receive address says so; a transfer that does not exist says so.
    screen.goto(f"/transfers/incoming/{incoming['id']}/receive")
    expect(page.get_by_test_id("already-received")).to_contain_text("was received already")
    screen.console.expect_http(404)
    screen.goto(f"/transfers/incoming/{uuid.uuid4()}")
    expect(page.get_by_test_id("not-found")).to_contain_text(
        "This incoming transfer does not exist"
    )
