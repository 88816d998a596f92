"""The compliance desk in the browser, through the whole platform to the Metrc sandbox: the
guide's API keys (added, validated with the green check, shown as hints only; refused ones
flagged and notified), jurisdiction rules and their reason map, the sync dashboard, the sync log
with its filters and guidance, and a batch's Metrc link, Push to Metrc, Retry and Dismiss.

The sandbox's one license has one site for the module (its world is reset by each test); a
compliance user is granted every site, as license-wide data (keys, health, the feed) requires."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from compliance.sandbox_world import ITEM, LICENSE, REASONS, USER_KEY, VENDOR_KEY
from playwright.sync_api import expect
from shared.testing.log_audit import register_secret
from shared.testing.platform import RunningPlatform

from tests.browser.conftest import Api, Screen, Site

USER_KEY_FIELD = re.compile(r"^User key\W*$")  # not "User key expires"


def _tags(web_platform: RunningPlatform) -> list[str]:
    assert web_platform.compliance is not None
    state = httpx.get(web_platform.compliance.metrc_url + "/_sandbox/state", timeout=30).json()
    return sorted(
        t["Label"]
        for t in state["tags"]
        if t["license_number"] == LICENSE and t["type"] == "Package" and not t["used"]
    )


def _rules(api: Api, site: Site, metrc_url: str) -> None:
    api.ok(
        "PUT",
        f"/api/v1/compliance/rules/{site.id}",
        json={
            "state": "CO",
            "program": "CANNABIS",
            "requireMetrcId": True,
            "metrcBaseUrl": metrc_url,
            "licenseNumber": LICENSE,
            "timeZone": "America/Denver",
            "reasonMap": dict(REASONS),
            "allowOpeningBalance": True,
        },
    )


def _until(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.3)


def test_keys_are_added_with_the_green_check_shown_as_hints_and_a_refused_key_is_flagged(
    api: Api, screen: Screen, metrc_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    _rules(api, metrc_site, web_platform.compliance.metrc_url)
    officer = api.user(["Compliance QA"], ["*"])
    screen.sign_in(officer, "/compliance/keys")
    page = screen.page
    form = page.get_by_test_id("keys-form")
    form.get_by_label("License").select_option(LICENSE)
    form.get_by_label("State").fill("CO")
    form.get_by_label("Vendor key").fill(VENDOR_KEY)
    form.get_by_label(USER_KEY_FIELD).fill(USER_KEY)
    form.get_by_label("Notify (emails, comma-separated)").fill("compliance@example.com")
    form.get_by_role("button", name="Save and validate").click()
    # Saved and validated (the row alone may show an earlier test's check, the license is shared).
    expect(page.get_by_test_id("toast-success").last).to_contain_text(f"Keys saved for {LICENSE}")
    row = page.get_by_test_id("keys-table").locator(f"tr[data-license='{LICENSE}']")
    expect(row.get_by_test_id("key-valid")).to_have_text("✓ Valid")
    expect(row).to_contain_text("…" + USER_KEY[-4:])
    held = api.ok("GET", f"/api/v1/compliance/credentials/{LICENSE}")
    assert held["status"] == "VALID"
    assert held["userKeyHint"] == "…" + USER_KEY[-4:]
    assert held["notifyEmails"] == ["compliance@example.com"]
    assert USER_KEY not in page.content()
    assert VENDOR_KEY not in page.content()
    screen.check_accessibility("API keys")
    screen.screenshot("compliance-keys")

    # A wrong user key: saved, refused by Metrc, flagged on its row, in health and in the feed.
    register_secret("USER-KEY-wrong-0000")
    form.get_by_label("Vendor key").fill(VENDOR_KEY)
    form.get_by_label(USER_KEY_FIELD).fill("USER-KEY-wrong-0000")
    screen.console.expect_http(422)
    form.get_by_role("button", name="Save and validate").click()
    expect(row.get_by_test_id("key-invalid")).to_be_visible()
    assert api.ok("GET", f"/api/v1/compliance/credentials/{LICENSE}")["status"] == "INVALID"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync dashboard").click()
    health = page.get_by_test_id("health-table").locator(f"tr[data-license='{LICENSE}']")
    expect(health.get_by_test_id("key-invalid")).to_be_visible()
    notice = page.get_by_test_id("notifications").locator("li[data-kind=KEY_INVALID]").first
    expect(notice).to_be_visible()
    feed = api.ok("GET", "/api/v1/compliance/notifications", params={"licenseNumber": LICENSE})
    assert "KEY_INVALID" in {n["kind"] for n in feed}
    expect(notice.locator(".guidance")).not_to_be_empty()
    screen.check_accessibility("sync dashboard")

    # The Notifications screen: the license's feed as the API holds it, then its open ones only.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    page.get_by_test_id("notifications-license").fill(LICENSE)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"license={LICENSE}"))
    listed = page.get_by_test_id("notifications").locator("li")
    expect(listed).to_have_count(len(feed))
    expect(listed.first).to_have_attribute("data-kind", feed[0]["kind"])
    expect(listed.locator(".guidance").first).to_have_text(feed[0]["guidance"])
    page.get_by_test_id("notifications-open").check()
    open_feed = api.ok(
        "GET",
        "/api/v1/compliance/notifications",
        params={"licenseNumber": LICENSE, "openOnly": True, "limit": 200},
    )
    assert "KEY_INVALID" in {n["kind"] for n in open_feed}
    expect(listed).to_have_count(len(open_feed))
    expect(page.get_by_test_id("notifications").locator("li[data-open=false]")).to_have_count(0)
    screen.check_accessibility("notifications")
    screen.screenshot("compliance-notifications")

    # Validated again with the right keys: the green check comes back.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    # The form starts on the license of the site being worked in: choose the sandbox's again.
    form.get_by_label("License").select_option(LICENSE)
    form.get_by_label("Vendor key").fill(VENDOR_KEY)
    form.get_by_label(USER_KEY_FIELD).fill(USER_KEY)
    form.get_by_role("button", name="Save and validate").click()
    expect(row.get_by_test_id("key-valid")).to_be_visible()
    row.get_by_role("button", name=f"Validate the keys of {LICENSE}").click()
    expect(page.get_by_test_id("toast-success").last).to_contain_text("valid")


def test_the_reason_map_is_edited_and_saved_as_the_api_then_holds_it(
    api: Api, screen: Screen, metrc_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    _rules(api, metrc_site, web_platform.compliance.metrc_url)
    officer = api.user(["Compliance QA"], ["*"])
    screen.sign_in(officer)
    page = screen.page
    page.get_by_test_id("site-switcher").select_option(metrc_site.id)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rules").click()
    form = page.get_by_test_id("rules-form")
    expect(form.get_by_label("License")).to_have_value(LICENSE)
    cause = next(iter(REASONS))
    field = form.get_by_label(f"Metrc reason for {cause}")
    expect(field).to_have_value(REASONS[cause])
    other = next(r for r in ("Waste", "Theft", "Scale Variance") if r != REASONS[cause])
    field.fill(other)
    form.get_by_role("button", name="Save rules").click()
    expect(page.get_by_test_id("toast-success").last).to_contain_text("Rules saved")
    held = api.ok("GET", f"/api/v1/compliance/rules/{metrc_site.id}")
    assert held["reasonMap"][cause] == other
    assert held["metrcBaseUrl"] == web_platform.compliance.metrc_url
    screen.check_accessibility("jurisdiction rules")
    screen.screenshot("compliance-rules")


def test_a_batch_reaches_metrc_and_a_refused_push_is_retried_and_dismissed_with_guidance(
    api: Api, screen: Screen, metrc_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    _rules(api, metrc_site, web_platform.compliance.metrc_url)
    api.ok(
        "PUT",
        f"/api/v1/compliance/credentials/{LICENSE}",
        json={"state": "CO", "vendorKey": VENDOR_KEY, "userKey": USER_KEY},
    )
    tags = _tags(web_platform)
    product = {"name": ITEM, "category": "Flower", "strain": "Blue Dream", "unitOfMeasure": "Grams"}
    opening = {"kind": "OPENING_BALANCE"}
    pushed = metrc_site.intake(product=product, package={"tag": tags[0], "source": opening})
    unknown = metrc_site.intake(
        product={**product, "name": "Purple Haze 3.5g"},
        package={"tag": tags[1], "source": opening},
    )

    def link_of(batch: dict[str, Any]) -> dict[str, Any]:
        # 404 until compliance's consumer has taken the intake's event in.
        answer = api.client.get(f"/api/v1/batches/{batch['id']}/metrc-link")
        return dict(answer.json()) if answer.status_code == 200 else {}

    _until(lambda: link_of(pushed).get("state") == "LINKED", "the first batch's package")
    _until(
        lambda: (link_of(unknown).get("lastPush") or {}).get("state") == "REJECTED",
        "the refusal of the unknown item",
    )

    officer = api.user(["Compliance QA"], ["*"])
    screen.sign_in(officer)
    page = screen.page
    page.get_by_test_id("site-switcher").select_option(metrc_site.id)
    page.get_by_role("button", name=f"Open batch {pushed['code']}").click()
    metrc = page.get_by_test_id("metrc-link")
    expect(metrc.get_by_test_id("metrc-state")).to_have_text("Linked")
    expect(metrc.get_by_test_id("metrc-tag")).to_have_text(tags[0])
    expect(metrc.get_by_test_id("metrc-last-push")).to_contain_text("Accepted")
    screen.check_accessibility("batch drawer with Metrc")
    screen.screenshot("batch-drawer-metrc")
    page.get_by_role("button", name="Close the batch").click()

    # Push to Metrc on the refused one: refused again, and the guide says why.
    page.get_by_role("button", name=f"Open batch {unknown['code']}").click()
    expect(metrc.get_by_test_id("metrc-problem")).to_contain_text("ITEM_NOT_FOUND")
    expect(metrc.get_by_test_id("metrc-problem").locator(".guidance")).not_to_be_empty()
    metrc.get_by_role("button", name="Push to Metrc").click()
    expect(page.get_by_test_id("toast-error").last).to_contain_text("Metrc refused the push")
    page.get_by_role("button", name="Close the batch").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync dashboard").click()
    stopped = page.get_by_test_id("stopped").locator("li").filter(has_text="ITEM_NOT_FOUND")
    expect(stopped).to_have_count(1)
    expect(stopped.locator(".guidance")).not_to_be_empty()
    screen.check_accessibility("sync dashboard with a refused push")
    screen.screenshot("compliance-sync-dashboard-refused")
    before = api.ok("GET", "/api/v1/compliance/submissions", params={"batchId": unknown["id"]})[
        "items"
    ][0]
    stopped.get_by_role("button", name="Retry").click()
    expect(page.get_by_test_id("toast-error").last).to_contain_text("Metrc refused it again")
    after = api.ok("GET", "/api/v1/compliance/submissions", params={"batchId": unknown["id"]})
    assert after["items"][0]["manualRetries"] == before["manualRetries"] + 1
    stopped.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("stopped-none")).to_be_visible()
    settled = api.ok("GET", "/api/v1/compliance/submissions", params={"batchId": unknown["id"]})
    assert settled["items"][0]["dismissedBy"]

    # The sync log: filtered to refusals, each with the guide's guidance.
    page.get_by_role("link", name="Sync log").first.click()
    page.get_by_test_id("log-status").select_option("REJECTED")
    log = page.get_by_test_id("sync-log")
    expect(log.locator("tbody tr").first).to_be_visible()
    expect(log.locator("tbody tr:not([data-status=REJECTED])")).to_have_count(0)
    statuses = log.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert set(statuses) == {"REJECTED"}
    held = api.ok("GET", "/api/v1/compliance/sync-log", params={"status": "REJECTED", "limit": 50})
    assert len(held["items"]) == len(statuses)
    expect(log.locator(".guidance").first).not_to_be_empty()
    assert "status=REJECTED" in page.url
    screen.check_accessibility("sync log")
    screen.screenshot("compliance-sync-log")


def test_the_compliance_desk_is_offered_only_to_those_who_may_use_it(
    api: Api, screen: Screen
) -> None:
    site = api.site()
    batch = site.live()
    auditor = api.user(["Auditor"], [site.id])
    screen.sign_in(auditor)
    page = screen.page
    menu = page.get_by_role("navigation", name="Main")
    for label in ("Sync dashboard", "Sync log", "API keys", "Rules"):
        expect(menu.get_by_role("link", name=label)).to_have_count(0)
    page.get_by_role("button", name=f"Open batch {batch['code']}").click()
    expect(page.get_by_test_id("metrc-not-tracked")).to_be_visible()
    expect(page.get_by_role("button", name="Push to Metrc")).to_have_count(0)
    screen.goto("/compliance/keys")
    expect(page.get_by_test_id("access-denied")).to_be_visible()


def test_a_user_granted_some_sites_is_offered_only_the_compliance_screens_that_work_per_site(
    api: Api, screen: Screen
) -> None:
    site = api.site()
    owner = api.user(["Owner"], [site.id])  # every permission, but not every site
    screen.sign_in(owner)
    page = screen.page
    menu = page.get_by_role("navigation", name="Main")
    for label in ("Sync with Metrc", "Sync log", "Rules"):
        expect(menu.get_by_role("link", name=label)).to_be_visible()
    for label in ("Sync dashboard", "Reconciliation", "Notifications", "API keys"):
        expect(menu.get_by_role("link", name=label)).to_have_count(0)
    menu.get_by_role("link", name="Sync log").click()
    expect(page.get_by_test_id("log-site")).to_contain_text(site.name)
    expect(page.get_by_test_id("log-empty")).to_be_visible()
    screen.goto("/compliance/sync")
    expect(page.get_by_test_id("access-denied")).to_contain_text("needs access to every site")
