"""Partial quarantine in the batch drawer: "Quarantine part" sets a quantity of a LIVE batch
aside with a reason, "Release" brings some back; the batch stays LIVE, available drops and rises
by as much, and the ledger and the audit trail name who did it."""

from __future__ import annotations

from playwright.sync_api import expect


def open_batch(screen, code: str):
    screen.page.get_by_role("button", name=f"Open batch {code}").click()
    drawer = screen.page.get_by_test_id("batch-drawer")
    expect(drawer.get_by_test_id("batch-detail")).to_be_visible()
    return drawer


def test_quarantining_part_of_a_batch_and_releasing_some_of_it(api, screen):
    site = api.site()
    batch = site.live(code="QPART-1", quantity="100")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user)
    drawer = open_batch(screen, "QPART-1")
    expect(drawer.get_by_role("button", name="Release")).to_have_count(0)  # nothing quarantined

    drawer.get_by_role("button", name="Quarantine part").click()
    dialog = screen.page.get_by_test_id("quarantine-dialog")
    submit = dialog.get_by_role("button", name="Quarantine")
    dialog.get_by_label("Quantity").fill("100.5")
    expect(dialog).to_contain_text("At most 100 is available")
    expect(submit).to_be_disabled()
    dialog.get_by_label("Quantity").fill("12.5")
    expect(submit).to_be_disabled()  # the reason is required
    dialog.get_by_label("Reason").fill("failed potency check")
    screen.screenshot("quarantine-dialog")
    screen.check_accessibility("quarantine dialog")
    submit.click()

    expect(screen.page.get_by_test_id("toast-success")).to_contain_text(
        "Part of QPART-1 quarantined"
    )
    expect(dialog).to_have_count(0)
    expect(drawer.get_by_test_id("qty-quarantine")).to_contain_text("12.5")
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("87.5")
    expect(drawer.get_by_test_id("qty-available")).to_contain_text("87.5")
    detail = api.detail(batch["id"])
    assert detail["batch"]["status"] == "LIVE"
    assert (detail["batch"]["onHandQty"], detail["batch"]["quarantineQty"]) == (
        "87.5000",
        "12.5000",
    )
    assert detail["availableQty"] == "87.5000"
    pair = detail["movements"][:2]
    assert {(m["movementType"], m["bucket"], m["quantityChange"]) for m in pair} == {
        ("QUARANTINE", "ON_HAND", "-12.5000"),
        ("QUARANTINE", "QUARANTINE", "12.5000"),
    }
    assert {(m["notes"], m["performedByName"]) for m in pair} == {
        ("failed potency check", "Inventory user")
    }
    audit = detail["auditLogs"][0]
    assert (audit["action"], audit["reason"], audit["performedByName"]) == (
        "QUARANTINE_PART",
        "failed potency check",
        "Inventory user",
    )
    expect(drawer.get_by_test_id("movements").locator("tbody tr").first).to_contain_text(
        "Inventory user"
    )
    expect(drawer.get_by_test_id("audit-trail").locator("li").first).to_contain_text(
        "QUARANTINE_PART by Inventory user"
    )

    drawer.get_by_role("button", name="Release").click()
    release = screen.page.get_by_test_id("quarantine-dialog")
    release.get_by_label("Quantity").fill("13")
    expect(release).to_contain_text("At most 12.5 is in quarantine")
    release.get_by_label("Quantity").fill("10")
    release.get_by_label("Reason").fill("retest passed")
    release.get_by_role("button", name="Release").click()
    expect(
        screen.page.get_by_test_id("toast-success").filter(has_text="Released from quarantine")
    ).to_contain_text("Released from quarantine on QPART-1")
    expect(drawer.get_by_test_id("qty-quarantine")).to_contain_text("2.5")
    after = api.detail(batch["id"])
    assert (after["batch"]["onHandQty"], after["batch"]["quarantineQty"]) == (
        "97.5000",
        "2.5000",
    )
    assert after["availableQty"] == "97.5000"
    assert after["batch"]["version"] == detail["batch"]["version"] + 1
    assert {m["movementType"] for m in after["movements"][:2]} == {"RELEASE_FROM_QUARANTINE"}
