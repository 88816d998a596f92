"""The guide's "Sync with Metrc" in the browser, through the gateway to the compliance worker and
the Metrc sandbox: the site and the types chosen with the keyboard alone, the run followed live
from its server-sent events (read with the session's token), its report as the API then holds
it, and the license's sync health; and the screen offered only to those who may sync."""

from __future__ import annotations

import re
from typing import Any

from compliance.sandbox_world import ITEM, LICENSE, USER_KEY, VENDOR_KEY
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Response, expect
from shared.testing.platform import RunningPlatform

from tests.browser.conftest import Api, Screen, Site
from tests.browser.test_browser_compliance import _rules, _tags, _until

RUN_READ = re.compile(r"/api/v1/compliance/sync/runs/[0-9a-f-]+$")


def test_a_sync_started_with_the_keyboard_is_followed_live_to_its_report_and_health(
    api: Api, screen: Screen, metrc_site: Site, web_platform: RunningPlatform
) -> None:
    assert web_platform.compliance is not None
    _rules(api, metrc_site, web_platform.compliance.metrc_url)
    api.ok(
        "PUT",
        f"/api/v1/compliance/credentials/{LICENSE}",
        json={"state": "CO", "vendorKey": VENDOR_KEY, "userKey": USER_KEY},
    )
    # A package in Metrc for the pull to find: a batch taken in with its tag, pushed by compliance
    # (the last free tag: the license's site is shared, and other tests take the first ones).
    product = {"name": ITEM, "category": "Flower", "strain": "Blue Dream", "unitOfMeasure": "Grams"}
    batch = metrc_site.intake(
        product=product,
        package={"tag": _tags(web_platform)[-1], "source": {"kind": "OPENING_BALANCE"}},
    )

    def linked() -> bool:
        answer = api.client.get(f"/api/v1/batches/{batch['id']}/metrc-link")
        return answer.status_code == 200 and answer.json()["state"] == "LINKED"

    _until(linked, "the batch's package in Metrc")

    officer = api.user(["Compliance QA"], ["*"])
    screen.sign_in(officer)
    page = screen.page
    streams: list[Response] = []
    run_reads: list[str] = []
    page.on("response", lambda r: streams.append(r) if r.url.endswith("/events") else None)
    page.on("response", lambda r: run_reads.append(r.url) if RUN_READ.search(r.url) else None)
    # Every sync health answer the page gets (the screens share them through the query cache).
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if r.url.endswith("/sync-health") else None)
    page.get_by_test_id("site-switcher").select_option(metrc_site.id)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync dashboard").click()
    # From the dashboard's button, by keyboard.
    page.locator(".page-actions").get_by_role("link", name="Sync with Metrc").focus()
    page.keyboard.press("Enter")
    form = page.get_by_test_id("sync-form")
    expect(form.get_by_label("Site (license)")).to_have_value(metrc_site.id)
    for label in ("Packages", "Plants", "Harvests"):  # the guide's three, chosen already
        expect(form.get_by_label(label, exact=True)).to_be_checked()
    form.get_by_label("Plants", exact=True).focus()
    page.keyboard.press("Space")
    expect(form.get_by_label("Plants", exact=True)).not_to_be_checked()
    form.get_by_label("Items", exact=True).focus()
    page.keyboard.press("Space")
    form.get_by_label("Incoming transfers", exact=True).focus()  # the last type
    page.keyboard.press("Tab")
    start = form.get_by_role("button", name="Start sync")
    expect(start).to_be_focused()
    screen.check_accessibility("sync with Metrc, the form")
    page.keyboard.press("Enter")

    run = page.get_by_test_id("sync-run").first
    expect(run).to_have_attribute("data-state", "SUCCEEDED", timeout=60_000)
    run_id = run.get_attribute("data-run")
    held: dict[str, Any] = api.ok("GET", f"/api/v1/compliance/sync/runs/{run_id}")
    assert held["state"] == "SUCCEEDED"
    assert held["syncTypes"] == ["packages", "harvests", "items"]
    assert held["report"]["errors"] == []
    assert held["report"]["types"]["packages"]["records"] >= 1
    # The progress and the report came through the event stream (with the session's token),
    # parsed by the page: it never had to read the run itself (its fallback when a stream ends
    # without a report).
    assert [r.status for r in streams] == [200]
    assert streams[0].headers["content-type"].startswith("text/event-stream")
    # Progress while the run is open, then one report; a run this small can finish before the
    # page opens the stream (on a busy machine it did), and then the report is its only event.
    events = re.findall(r"^event: (\w+)$", streams[0].text(), re.M)
    assert events[-1] == "report", events
    assert set(events[:-1]) <= {"progress"}, events
    assert run_reads == []

    report = run.get_by_test_id("sync-report-types")
    for sync_type, counts in held["report"]["types"].items():
        expect(
            report.locator(f"tr[data-type={sync_type}] [data-testid=report-records]")
        ).to_have_text(str(counts["records"]))
    expect(run.get_by_test_id("sync-report")).to_contain_text("Every list was read completely")

    health = page.get_by_test_id("sync-health")
    expect(health.get_by_role("heading")).to_have_text(f"Sync health of {LICENSE}")
    expect(health.get_by_test_id("key-valid")).to_be_visible()
    expect(
        health.locator("tr[data-type=packages] [data-testid=type-last-success]")
    ).not_to_have_text("Never")
    held_health = api.ok("GET", f"/api/v1/compliance/licenses/{LICENSE}/sync-health")
    packages = next(t for t in held_health["types"] if t["syncType"] == "packages")
    assert packages["lastSuccessAt"] is not None
    screen.check_accessibility("sync with Metrc, the report")
    screen.screenshot("compliance-sync-metrc")

    # The Sync dashboard: the license's GET budget as the API last answered the page (it slides
    # with the minute, so a later read may differ), and each type's last pull, records and
    # failure as the API holds them. The worker reports the GETs it sent every few seconds
    # (COMPLIANCE_SYNC_HEALTH_SECONDS): the dashboard is opened afresh once the API counts the
    # pull's.
    _until(
        lambda: api.ok("GET", f"/api/v1/compliance/licenses/{LICENSE}/sync-health")[
            "getsLastMinute"
        ],
        "the pull's GETs in the license's budget",
        30,
    )
    answers.clear()  # the earlier page's bodies are gone with it
    screen.goto("/compliance/sync")
    pulls = page.get_by_test_id("pulls").locator(f"[data-license='{LICENSE}']")
    budget = pulls.get_by_test_id("rate-budget")

    def budget_as_answered() -> bool:
        bodies = [_body(r) for r in answers if r.ok and f"/licenses/{LICENSE}/" in r.url]
        last = next((b for b in reversed(bodies) if b is not None), None)
        if last is None:
            return False
        shown = (
            budget.get_by_test_id("budget-used").inner_text(),
            budget.get_by_test_id("budget-allowed").inner_text(),
            budget.get_by_test_id("budget-refused").inner_text(),
        )
        expected = (
            last["getsLastMinute"],
            last["getsAllowedPerMinute"],
            last["rateLimitedLastMinute"],
        )
        return shown == tuple(str(n) for n in expected)

    expect(budget.get_by_test_id("budget-used")).to_be_visible()
    # Equal to the page's own answer, not above zero: the budget is a sliding minute, and on a
    # busy machine the pull's GETs can leave it between the wait above and the page's read.
    _until(budget_as_answered, "the GET budget as the API answered it", 15)
    assert (
        budget.locator("meter").get_attribute("value")
        == budget.get_by_test_id("budget-used").inner_text()
    )
    held_health = api.ok("GET", f"/api/v1/compliance/licenses/{LICENSE}/sync-health")
    assert held_health["getsAllowedPerMinute"] > 0
    table = pulls.get_by_test_id("health-types")
    for t in held_health["types"]:
        row = table.locator(f"tr[data-type={t['syncType']}]")
        expect(row.get_by_test_id("type-records")).to_have_text(str(t["records"]))
        stale = "true" if t["syncType"] in held_health["staleTypes"] else "false"
        expect(row).to_have_attribute("data-stale", stale)
        shown = row.get_by_test_id("type-last-success")
        if t["lastSuccessAt"] is None:
            expect(shown).to_have_text("Never")
        else:
            expect(shown).to_have_attribute("datetime", t["lastSuccessAt"])
        failure = row.get_by_test_id("type-last-failure")
        if t["lastErrorCode"] is None:
            expect(failure).to_have_text("—")
        else:
            expect(failure.locator("code")).to_have_text(t["lastErrorCode"])
            if t["lastErrorGuidance"]:
                expect(failure.locator(".guidance")).to_have_text(t["lastErrorGuidance"])
    pulled = {t["syncType"] for t in held_health["types"] if t["lastSuccessAt"]}
    assert {"packages", "harvests", "items"} <= pulled
    expect(table.locator("tr[data-type=packages] [data-testid=type-records]")).not_to_have_text("0")
    screen.check_accessibility("sync dashboard with the last pulls")
    screen.screenshot("compliance-sync-dashboard")


def _body(response: Response) -> Any:
    try:
        return response.json()
    except PlaywrightError:  # an answer to the page before, its body gone with it
        return None


def test_sync_with_metrc_is_offered_only_to_those_who_may_sync(api: Api, screen: Screen) -> None:
    site = api.site()
    clerk = api.user(["Inventory"], [site.id])
    screen.sign_in(clerk)
    page = screen.page
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync with Metrc")
    ).to_have_count(0)
    screen.goto("/compliance/sync-metrc")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    expect(page.get_by_role("button", name="Start sync")).to_have_count(0)
