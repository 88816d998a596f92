"""The application around the screens: signing in and out, sessions refreshed before they
expire and ended when revoked, menus and actions by permission, the site switcher, and the
list's loading, empty and error states."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Route, expect


def test_signing_in_and_out(api, screen):
    site = api.site()
    user = api.user(["Auditor"], [site.id])
    screen.goto("/inventory")
    page = screen.page
    expect(page.get_by_role("heading", name="Sign in to Canopy")).to_be_visible()
    screen.screenshot("sign-in")
    screen.check_accessibility("sign in")

    screen.console.expect_http(401)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or the password is wrong.")

    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    assert page.url.endswith("/inventory")
    token = page.evaluate("JSON.parse(sessionStorage.getItem('canopy.session')).accessToken")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    # The gateway ended the session: its access token is refused.
    refused = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_an_expiring_session_is_refreshed_and_a_revoked_one_ends(api, screen):
    site = api.site()
    site.live(code="SESSION-1")
    user = api.user(["Auditor"], [site.id])
    screen.sign_in(user)
    page = screen.page
    before = page.evaluate("JSON.parse(sessionStorage.getItem('canopy.session'))")

    # The access token is about to expire: the next request refreshes the pair first.
    page.evaluate(
        "() => { const s = JSON.parse(sessionStorage.getItem('canopy.session'));"
        " s.accessExpiresAt = Date.now() + 1000; sessionStorage.setItem('canopy.session', JSON.stringify(s)); }"
    )
    page.reload()
    assert screen.rows() == ["SESSION-1"]
    after = page.evaluate("JSON.parse(sessionStorage.getItem('canopy.session'))")
    assert after["refreshToken"] != before["refreshToken"]  # spent and replaced
    assert after["accessExpiresAt"] > before["accessExpiresAt"] - 60_000

    # The session is revoked elsewhere (here: logged out through the API): refused, the refresh
    # fails too, and the person is asked to sign in again.
    screen.console.expect_http(401)
    logout = api.client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {after['accessToken']}"}
    )
    assert logout.status_code == 204
    time.sleep(0.2)
    page.get_by_test_id("search").fill("session")
    expect(page.get_by_text("Your session has ended. Sign in again to go on.")).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_role("heading", name="Sign in to Canopy")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('canopy.session')") is None


def test_a_read_only_user_sees_no_action_the_api_would_refuse(api, screen):
    site = api.site()
    batch = site.live(code="RO-1")
    auditor = api.user(["Auditor"], [site.id])
    screen.sign_in(auditor)
    page = screen.page
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Batches", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Inventory as of")).to_be_visible()
    expect(menu.get_by_role("link", name="Receive stock")).to_have_count(0)
    expect(page.get_by_role("link", name="Receive stock")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Select batch RO-1")).to_have_count(0)
    page.get_by_role("button", name="Open batch RO-1").click()
    drawer = page.get_by_test_id("batch-detail")
    expect(drawer.get_by_test_id("qty-on-hand")).to_be_visible()
    expect(drawer.get_by_role("group", name="Batch actions")).to_have_count(0)
    assert api.detail(batch["id"])["allowedTransitions"]  # the batch could change; this user cannot

    # The intake screen, typed in directly, says why instead of failing later.
    screen.goto("/inventory/intake")
    expect(page.get_by_test_id("access-denied")).to_contain_text("Access denied")
    screen.check_accessibility("access denied")


def test_the_site_switcher_shows_each_sites_own_batches(api, screen):
    north, south = api.site("North barn"), api.site("South barn")
    north.live(code="NORTH-1")
    south.live(code="SOUTH-1")
    user = api.user(["Inventory"], [north.id, south.id])
    screen.sign_in(user)
    page = screen.page
    switcher = page.get_by_test_id("site-switcher")
    options = switcher.locator("option").all_inner_texts()
    assert [o.split(" (")[0] for o in options] == ["North barn", "South barn"]
    assert screen.rows() == ["NORTH-1"]
    switcher.select_option(south.id)
    expect(page.get_by_role("button", name="Open batch SOUTH-1")).to_be_visible()
    assert screen.rows() == ["SOUTH-1"]
    page.reload()
    assert screen.rows() == ["SOUTH-1"]  # remembered


def test_a_site_without_batches_invites_the_first_intake(api, screen):
    site = api.site("Empty site")
    user = api.user(["Inventory"], [site.id])
    screen.sign_in(user)
    empty = screen.page.get_by_test_id("empty")
    expect(empty).to_contain_text("No batches yet")
    screen.screenshot("inventory-empty")
    screen.check_accessibility("empty inventory")
    empty.get_by_role("link", name="Create first batch").click()
    expect(screen.page.get_by_role("heading", name="Receive stock")).to_be_visible()


def test_loading_shows_skeletons_and_a_failure_offers_a_retry(api, screen):
    site = api.site()
    site.live(code="RETRY-1")
    user = api.user(["Auditor"], [site.id])
    page = screen.page
    outage = {
        "error": {
            "code": "UPSTREAM_UNAVAILABLE",
            "message": "The inventory service cannot be reached",
            "details": {},
        }
    }
    mode = {"now": "hold"}
    held: list[Route] = []

    def enhanced(route: Route) -> None:
        if mode["now"] == "hold":
            held.append(route)
        elif mode["now"] == "fail":
            route.fulfill(status=502, content_type="application/json", body=json.dumps(outage))
        else:
            route.continue_()

    page.route("**/api/v1/batches/enhanced**", enhanced)
    screen.sign_in(user)
    expect(page.get_by_test_id("table-skeleton")).to_be_visible()
    expect(page.get_by_test_id("dashboard-skeleton")).to_be_visible()
    screen.screenshot("inventory-loading")

    # The inventory service is down: the list retries twice, then says so and offers a retry.
    screen.console.expect_http(502)
    mode["now"] = "fail"
    for route in held:
        route.fulfill(status=502, content_type="application/json", body=json.dumps(outage))
    error = page.get_by_test_id("error-state")
    expect(error).to_contain_text("The inventory service cannot be reached", timeout=20_000)
    expect(error).to_contain_text("UPSTREAM_UNAVAILABLE")
    screen.screenshot("inventory-error")
    screen.check_accessibility("inventory error")
    mode["now"] = "pass"
    error.get_by_role("button", name="Retry").click()
    assert screen.rows() == ["RETRY-1"]
