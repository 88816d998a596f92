"""The bulk bar: select batches, change their status or delete them after a confirmation; each
batch is validated on its own and the results list every batch's outcome."""

from __future__ import annotations

from playwright.sync_api import expect


def test_bulk_status_change_reports_each_batch_and_clears_the_selection(api, screen):
    site = api.site()
    live = [site.live(code=f"BULK-L{n}") for n in range(2)]
    closed = site.intake(code="BULK-C0")
    api.ok(
        "POST",
        f"/api/v1/batches/{closed['id']}/status",
        json={"status": "CLOSED", "reason": "cancelled"},
    )
    user = api.user(["Owner"], [site.id])
    screen.sign_in(user, "/inventory?includeArchived=true")
    page = screen.page
    for code in ("BULK-L0", "BULK-L1", "BULK-C0"):
        page.get_by_role("checkbox", name=f"Select batch {code}").check()
    bar = page.get_by_test_id("bulk-bar")
    expect(bar).to_contain_text("3 batches selected")
    screen.screenshot("bulk-bar")
    bar.get_by_role("button", name="Change status…").click()
    confirm = page.get_by_test_id("bulk-confirm")
    confirm.get_by_label("New status").select_option("ON_HOLD")
    confirm.get_by_label("Reason").fill("audit")
    screen.check_accessibility("bulk confirmation")
    confirm.get_by_role("button", name="Change status").click()

    results = page.get_by_test_id("bulk-results-table")
    expect(results.locator("tbody tr")).to_have_count(3)
    expect(results.locator("tr", has_text="BULK-L0")).to_contain_text("UPDATED")
    expect(results.locator("tr", has_text="BULK-L1")).to_contain_text("UPDATED")
    expect(results.locator("tr", has_text="BULK-C0")).to_contain_text("FAILED")
    # The API's reason, the batch named by its code.
    expect(results.locator("tr", has_text="BULK-C0")).to_contain_text(
        "Cannot transition from CLOSED to ON_HOLD"
    )
    expect(page.get_by_test_id("toast-error")).to_contain_text("1 of 3 batches failed")
    screen.screenshot("bulk-results")
    for batch in live:
        assert api.detail(batch["id"])["batch"]["status"] == "ON_HOLD"
    assert api.detail(closed["id"])["batch"]["status"] == "CLOSED"
    page.get_by_test_id("bulk-results").get_by_role("button", name="Close").click()
    # The updated ones leave the selection; the failed one stays selected.
    expect(bar).to_contain_text("1 batch selected")
    expect(page.get_by_role("checkbox", name="Select batch BULK-C0")).to_be_checked()
    expect(page.locator("tr", has_text="BULK-L0")).to_contain_text("On hold")


def test_bulk_delete_deletes_only_empty_batches(api, screen):
    site = api.site()
    empty = site.live(code="DEL-EMPTY")
    api.ok(
        "POST",
        f"/api/v1/batches/{empty['id']}/disposals",
        json={"quantity": "100", "reason": "EXPIRED"},
    )
    full = site.live(code="DEL-FULL")
    user = api.user(["Owner"], [site.id])
    screen.sign_in(user)
    page = screen.page
    page.get_by_role("checkbox", name="Select every batch on this page").check()
    bar = page.get_by_test_id("bulk-bar")
    expect(bar).to_contain_text("2 batches selected")
    bar.get_by_role("button", name="Delete…").click()
    confirm = page.get_by_test_id("bulk-confirm")
    expect(confirm).to_contain_text("Delete 2 batches?")
    confirm.get_by_label("Reason").fill("clean-up")
    confirm.get_by_role("button", name="Delete").click()
    results = page.get_by_test_id("bulk-results-table")
    expect(results.locator("tr", has_text="DEL-EMPTY")).to_contain_text("DELETED")
    expect(results.locator("tr", has_text="DEL-FULL")).to_contain_text("FAILED")
    assert api.detail(empty["id"])["batch"]["deletedAt"] is not None
    assert api.detail(full["id"])["batch"]["deletedAt"] is None
    page.get_by_test_id("bulk-results").get_by_role("button", name="Close").click()
    # The deleted batch is archived: gone from the default list.
    expect(page.locator("[data-testid=batch-table] tbody tr")).to_have_count(1)


def test_a_user_without_delete_permission_is_not_offered_bulk_delete(api, screen):
    site = api.site()
    site.live(code="NODEL-1")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user)
    screen.page.get_by_role("checkbox", name="Select batch NODEL-1").check()
    bar = screen.page.get_by_test_id("bulk-bar")
    expect(bar.get_by_role("button", name="Change status…")).to_be_visible()
    expect(bar.get_by_role("button", name="Delete…")).to_have_count(0)
