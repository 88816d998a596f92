"""The batch drawer shows the Metrc package inventory holds for a batch: its tag and where the
package came from (an opening balance, or the batches it was made from, each with its tag and
the quantity drawn), read-only, even where compliance does not track the site."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Api, Screen

TAG_A = "1A4FF0100000022000000101"
TAG_B = "1A4FF0100000022000000123"


def test_the_drawer_shows_the_package_tag_and_source_of_a_batch_taken_in_with_a_tag(
    api: Api, screen: Screen
) -> None:
    site = api.site()
    opening = site.live(package={"tag": TAG_A, "source": {"kind": "OPENING_BALANCE"}})
    made = site.intake(
        package={
            "tag": TAG_B,
            "source": {
                "kind": "BATCHES",
                "ingredients": [{"batchId": opening["id"], "quantity": "10"}],
            },
        }
    )
    held = api.detail(made["id"])["batch"]
    assert held["packageTag"] == TAG_B
    assert held["packageSource"]["kind"] == "BATCHES"

    clerk = api.user(["Inventory"], [site.id])
    screen.sign_in(clerk)
    page = screen.page
    page.get_by_test_id("site-switcher").select_option(site.id)
    page.get_by_role("button", name=f"Open batch {made['code']}").click()
    package = page.get_by_test_id("package-of-batch")
    expect(package.get_by_test_id("package-tag")).to_have_text(TAG_B)
    expect(package.get_by_test_id("package-source")).to_have_text("Made from other batches")
    ingredients = package.get_by_test_id("package-ingredients").locator("li")
    expect(ingredients).to_have_count(1)
    expect(ingredients.first).to_contain_text(TAG_A)
    expect(ingredients.first).to_contain_text("10")
    # Read-only: nothing in the section edits the package.
    expect(package.locator("input, select, textarea")).to_have_count(0)
    screen.check_accessibility("batch drawer with its package")

    # The batch it was made from: its own tag, an opening balance.
    ingredients.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Batch {opening['code']}")).to_be_visible()
    expect(package.get_by_test_id("package-tag")).to_have_text(TAG_A)
    expect(package.get_by_test_id("package-source")).to_have_text("Opening balance")
