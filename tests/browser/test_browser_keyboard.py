"""The main journey with the keyboard alone: sign in, search, open a batch, adjust it, change
its status, select batches and change their status in bulk; no mouse event anywhere."""

from __future__ import annotations

from playwright.sync_api import expect


def press_tab_until(page, predicate_js: str, limit: int = 80, key: str = "Tab") -> None:
    """Tab (or ``key``) until the focused element satisfies ``predicate_js`` (given ``el``)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return Boolean({predicate_js}); }})()"
        ):
            return
    raise AssertionError(f"no focusable element matched {predicate_js} within {limit} tabs")


def focus_named(page, name: str, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) to the element whose aria-label, label or text is ``name``."""
    press_tab_until(
        page,
        "el && ((el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].textContent"
        f" : el.textContent) || '').trim().replace(/ \\*$/, '') === {name!r})",
        key=key,
    )


def test_the_main_journey_works_by_keyboard_alone(api, screen):
    site = api.site()
    batch = site.live(code="KEY-1", quantity="100")
    other = site.live(code="KEY-2", quantity="100")
    user = api.user(["Owner"], [site.id])
    page = screen.page
    screen.goto("/inventory")

    # Sign in: type, Tab, type, Enter.
    page.get_by_label("Email").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()

    # The skip link leads to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    # Search.
    focus_named(page, "Search batches by SKU, batch code or product")
    page.keyboard.type("KEY-1")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=batch-table] tbody tr")).to_have_count(1)

    # Open the batch, adjust it.
    focus_named(page, "Open batch KEY-1")
    page.keyboard.press("Enter")
    drawer = page.get_by_test_id("batch-detail")
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("100")
    focus_named(page, "Adjust quantity")
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("adjust-dialog")
    expect(dialog).to_be_visible()
    focus_named(page, "Adjustment (+/-)")  # by its label
    page.keyboard.type("-7")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Reason: the first reason, Count discrepancy
    expect(dialog.get_by_label("Reason")).to_have_value("COUNT_DISCREPANCY")
    focus_named(page, "Save adjustment")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("toast-success")).to_contain_text("Batch KEY-1 adjusted")
    # Focus is back on the action that opened the dialog.
    expect(page.get_by_role("button", name="Adjust quantity")).to_be_focused()
    expect(drawer.get_by_test_id("qty-on-hand")).to_contain_text("93")

    # Change its status.
    focus_named(page, "Change status")
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("status-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("New status").focus()
    page.keyboard.press("ArrowDown")  # the first change offered
    first_allowed = (
        dialog.get_by_label("New status").locator("option").nth(1).get_attribute("value")
    )
    expect(dialog.get_by_label("New status")).to_have_value(first_allowed)
    page.keyboard.press("Tab")
    page.keyboard.type("checked by keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("toast-success").filter(has_text="is now")).to_be_visible()
    assert api.detail(batch["id"])["batch"]["status"] == first_allowed
    assert api.detail(batch["id"])["batch"]["onHandQty"] == "93.0000"

    # Close the drawer, clear the search, select both batches, bulk status change.
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("batch-drawer")).to_have_count(0)
    expect(page.get_by_role("button", name="Open batch KEY-1")).to_be_focused()
    focus_named(page, "Search batches by SKU, batch code or product")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=batch-table] tbody tr")).to_have_count(2)
    focus_named(page, "Select every batch on this page")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("bulk-bar")).to_contain_text("2 batches selected")
    focus_named(page, "Change status…")
    page.keyboard.press("Enter")
    confirm = page.get_by_test_id("bulk-confirm")
    expect(confirm).to_be_visible()
    confirm.get_by_label("New status").focus()
    page.keyboard.press("End")  # Closed, the last status
    expect(confirm.get_by_label("New status")).to_have_value("CLOSED")
    page.keyboard.press("Home")
    expect(confirm.get_by_label("New status")).to_have_value("AWAITING_INTAKE")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(confirm.get_by_label("New status")).to_have_value("ON_HOLD")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard bulk")
    focus_named(page, "Change status")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bulk-results-table").locator("tbody tr")).to_have_count(2)
    page.keyboard.press("Escape")
    assert api.detail(other["id"])["batch"]["status"] == "ON_HOLD"

    # Sign out from the user menu.
    press_tab_until(page, "el && el.dataset.testid === 'user-menu'", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
