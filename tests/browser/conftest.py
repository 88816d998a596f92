"""Browser tests: Debian's Chromium, driven by Playwright, against the platform as processes
(gateway, inventory and its relay, reporting and its worker, compliance with its worker and relay
and the Metrc sandbox, real PostgreSQL and Kafka; tests/conftest.py starts them).

Every page fails its test on a console error or an uncaught exception (a test that expects the
API to refuse something says which status it expects, because Chromium logs every non-2xx fetch
as a console error). Screens are checked with axe-core (no serious or critical violation) and
photographed into test-results/screenshots/.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from compliance.sandbox_world import LICENSE, USER_KEY, VENDOR_KEY, seed
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from shared.testing.infra import KafkaServer, PostgresServer, repo_root
from shared.testing.intake import intake_body
from shared.testing.log_audit import register_secret
from shared.testing.platform import RunningPlatform, start_platform

from tests.e2e.test_e2e_compliance import FAST_COMPLIANCE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = repo_root() / "services" / "gateway" / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = repo_root() / "test-results" / "screenshots"
PASSWORD = "a browser user's password"
_counter = itertools.count(1)
# Reads that answer 404 while compliance has not heard of the record, which the screen says.
_NOT_TRACKED = re.compile(
    r"/api/v1/(batches/[0-9a-f-]+/metrc-link|compliance/transfers/[0-9a-f-]+)$"
)


def launch_chromium(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        raise RuntimeError(
            "Chromium is missing: make bootstrap installs it (or: sudo apt-get install -y chromium)"
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )


@pytest.fixture(scope="session")
def web_platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningPlatform]:
    """One platform for the session; each test works in sites of its own."""
    index = repo_root() / "services" / "gateway" / "web" / "dist" / "index.html"
    if not index.exists():
        raise RuntimeError("the web application is not built: run `make web`")
    platform = asyncio.run(
        start_platform(
            postgres_server,
            kafka_server,
            identity_keys,
            tmp_path_factory.mktemp("web-platform"),
            relay=True,
            reporting_worker=True,
            # The Metrc sandbox, compliance's worker and relay, with short Metrc timeouts.
            compliance=FAST_COMPLIANCE,
        )
    )
    yield platform
    platform.stop()


@dataclass
class Api:
    """The public API as the administrator (test setup and checks of what the API holds)."""

    client: httpx.Client

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def site(self, name: str | None = None) -> Site:
        n = next(_counter)
        created = self.ok(
            "POST",
            "/api/v1/sites",
            201,
            json={"name": name or f"Site {n}", "licenseNumber": f"LIC-B-{n}", "state": "OR"},
        )
        locations = [
            self.ok(
                "POST",
                f"/api/v1/sites/{created['id']}/locations",
                201,
                json={"zone": "Vault", "rack": rack},
            )
            for rack in ("R1", "R2")
        ]
        return Site(
            api=self,
            id=created["id"],
            name=created["name"],
            locations=[loc["id"] for loc in locations],
        )

    def user(self, roles: list[str], sites: list[str]) -> User:
        email = f"user{next(_counter)}@browser.test"
        self.ok(
            "POST",
            "/api/v1/users",
            201,
            json={
                "email": email,
                "password": PASSWORD,
                "display_name": f"{roles[0]} user",
                "roles": roles,
                "sites": sites,
            },
        )
        return User(email=email, password=PASSWORD)

    def detail(self, batch_id: str) -> dict[str, Any]:
        return dict(self.ok("GET", f"/api/v1/batches/{batch_id}/detail"))

    def enhanced(self, **params: Any) -> dict[str, Any]:
        return dict(self.ok("GET", "/api/v1/batches/enhanced", params=params))

    def eventually(
        self, path: str, until: Callable[[Any], bool], timeout: float = 30, **params: Any
    ) -> Any:
        """GET ``path`` until its answer satisfies ``until`` (read models built from events
        catch up a moment after the write); the last answer."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.ok("GET", path, params=params)
            if until(answer):
                return answer
            assert time.monotonic() < deadline, f"{path} never got there: {answer}"
            time.sleep(0.25)


@dataclass
class User:
    email: str
    password: str


@dataclass
class Site:
    api: Api
    id: str
    name: str
    locations: list[str] = field(default_factory=list)

    def intake(self, **overrides: Any) -> dict[str, Any]:
        n = next(_counter)
        browser_defaults = {
            "lot": {"code": "GV-2026-03"},
            "location": {"id": self.locations[0]},
            "code": f"BR-{n:05d}",
            "sku": f"BD-{n:05d}",
            "quantity": "100",
            "unitCogs": "2.5",
            "grade": "A",
        }
        body = intake_body(self.id, **{**browser_defaults, **overrides})
        return dict(self.api.ok("POST", "/api/v1/batches/intake", 201, json=body)["batch"])

    def live(self, **overrides: Any) -> dict[str, Any]:
        batch = self.intake(**overrides)
        return dict(
            self.api.ok(
                "POST",
                f"/api/v1/batches/{batch['id']}/status",
                json={"status": "LIVE", "reason": "received"},
            )["batch"]
        )


@pytest.fixture(scope="session")
def api(web_platform: RunningPlatform) -> Iterator[Api]:
    token = web_platform.admin_token()
    with httpx.Client(
        base_url=web_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        yield Api(client)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    # Screenshots of this run only.
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def browser(screenshots: Path) -> Iterator[Browser]:
    # Per module, not per session: while Playwright's synchronous API is open it marks its own
    # event loop as running in this thread, and the asynchronous tests that run after the
    # browser tests (tests/e2e) could not start theirs.
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@dataclass
class Console:
    """Console errors and uncaught exceptions of a page; the test fails on any not expected."""

    errors: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)

    def expect_http(self, *statuses: int) -> None:
        """The test makes the API refuse something: Chromium's own log line of it is expected."""
        self.allowed_statuses.update(statuses)

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        found = re.search(r"status of (\d{3})", message.text)
        if found and int(found.group(1)) in self.allowed_statuses:
            return
        if found and int(found.group(1)) == 404 and _NOT_TRACKED.search(message.location["url"]):
            # A batch or transfer compliance has not heard of (BATCH_NOT_TRACKED,
            # TRANSFER_NOT_TRACKED): the drawer or the transfer's page says so.
            return
        self.errors.append(f"console: {message.text} at {message.location}")


@dataclass
class Screen:
    """A page of the application and the checks every screen gets."""

    page: Page
    base_url: str
    console: Console

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, user: User, path: str = "/inventory") -> None:
        self.goto(path)
        self.page.get_by_label("Email").fill(user.email)
        self.page.get_by_label("Password").fill(user.password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("navigation", name="Main").wait_for()

    def check_accessibility(self, name: str) -> None:
        """axe-core on the screen as it is: no serious or critical violation."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: accessibility violations: {bad}"

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def rows(self) -> list[str]:
        """The batch codes of the table's rows, top to bottom."""
        self.page.get_by_test_id("batch-table").wait_for()
        return self.page.locator(
            "[data-testid=batch-table] tbody tr td button.link-button"
        ).all_inner_texts()


@pytest.fixture
def screen(browser: Browser, web_platform: RunningPlatform) -> Iterator[Screen]:
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    console = Console()
    page.on("console", console.on_message)
    page.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
    yield Screen(page=page, base_url=web_platform.gateway_url, console=console)
    context.close()
    assert not console.errors, "\n".join(console.errors)


@pytest.fixture(scope="session")
def license_site(api: Api) -> Site:
    """The one site of the sandbox's license (a license number belongs to one site), with a Vault;
    shared by the compliance modules."""
    for secret in (VENDOR_KEY, USER_KEY):
        register_secret(secret)
    created = api.ok(
        "POST",
        "/api/v1/sites",
        201,
        json={"name": "Denver grow", "licenseNumber": LICENSE, "state": "CO"},
    )
    vault = api.ok("POST", f"/api/v1/sites/{created['id']}/locations", 201, json={"zone": "Vault"})
    return Site(api=api, id=created["id"], name=created["name"], locations=[vault["id"]])


@pytest.fixture
def metrc_site(license_site: Site, web_platform: RunningPlatform) -> Site:
    """The license's site, the sandbox's world new (ten free package tags)."""
    assert web_platform.compliance is not None
    reset = httpx.post(
        web_platform.compliance.metrc_url + "/_sandbox/reset",
        json=seed(package_tags=10),
        timeout=30,
    )
    reset.raise_for_status()
    return license_site
