"""The gateway serves the web application at /: hashed assets cached for a year, index.html for
every client-side route and never cached, the API and its documents untouched."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gateway.entrypoints.web_app import DEFAULT_DIST
from gateway.testing import GatewayHarness, settings_for_test

WEB = Path(__file__).resolve().parents[1] / "web"
INDEX = b"<!doctype html><title>Canopy</title><div id=root></div>"
ASSET = b"console.log('the application');" * 20


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-4f2a9c.js").write_bytes(ASSET)
    (tmp_path / "assets" / "index-4f2a9c.js.gz").write_bytes(gzip.compress(ASSET))
    (tmp_path / "robots.txt").write_bytes(b"User-agent: *\n")
    (tmp_path.parent / "secret.txt").write_bytes(b"outside")
    return tmp_path


@pytest.fixture
async def gateway(dist: Path, identity_keys: tuple[str, str]) -> AsyncIterator[GatewayHarness]:
    # No request here reaches the identity database; the URL is never connected to.
    settings = settings_for_test(
        "postgresql+asyncpg://nobody:nothing@127.0.0.1:9/none",
        identity_keys[0],
        GATEWAY_WEB_DIST=str(dist),
    )
    harness = GatewayHarness.start(settings)
    yield harness
    await harness.close()


class TestClientRoutes:
    @pytest.mark.parametrize("path", ["/", "/inventory", "/inventory/intake", "/login", "/a/b?c=d"])
    async def test_every_client_route_gets_the_page_uncached(
        self, gateway: GatewayHarness, path: str
    ) -> None:
        response = await gateway.client.get(path)
        assert response.status_code == 200
        assert response.content == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"

    async def test_head_is_answered_like_get(self, gateway: GatewayHarness) -> None:
        response = await gateway.client.head("/inventory")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"

    async def test_a_file_of_the_build_is_sent_as_itself(self, gateway: GatewayHarness) -> None:
        response = await gateway.client.get("/robots.txt")
        assert response.content == b"User-agent: *\n"

    async def test_a_path_out_of_the_build_folder_gets_the_page_not_the_file(
        self, gateway: GatewayHarness
    ) -> None:
        response = await gateway.client.get("/%2e%2e/secret.txt")
        assert b"outside" not in response.content


class TestAssets:
    async def test_hashed_assets_are_cached_for_a_year(self, gateway: GatewayHarness) -> None:
        response = await gateway.client.get(
            "/assets/index-4f2a9c.js", headers={"Accept-Encoding": "identity"}
        )
        assert response.status_code == 200
        assert response.content == ASSET
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "javascript" in response.headers["content-type"]
        assert "content-encoding" not in response.headers

    async def test_assets_go_compressed_to_clients_that_accept_gzip(
        self, gateway: GatewayHarness
    ) -> None:
        response = await gateway.client.get(
            "/assets/index-4f2a9c.js", headers={"Accept-Encoding": "gzip, br"}
        )
        assert response.headers["content-encoding"] == "gzip"
        # Caches keep a compressed and a plain copy (the CORS middleware adds Origin).
        assert "Accept-Encoding" in [v.strip() for v in response.headers["vary"].split(",")]
        assert response.content == ASSET  # httpx decoded it

    async def test_a_missing_asset_is_a_404_never_the_page(self, gateway: GatewayHarness) -> None:
        response = await gateway.client.get("/assets/index-old.js")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


class TestTheApiIsUntouched:
    async def test_unknown_api_paths_are_json_404s(self, gateway: GatewayHarness) -> None:
        for method in ("GET", "POST", "DELETE"):
            response = await gateway.client.request(method, "/api/v1/nothing-here")
            assert response.status_code == 404, method
            assert response.json()["error"]["code"] == "NOT_FOUND"

    async def test_api_routes_answer_as_before(self, gateway: GatewayHarness) -> None:
        assert (await gateway.client.get("/api/v1/auth/me")).status_code == 401
        assert (await gateway.client.get("/api/v1/batches")).status_code == 401
        assert (await gateway.client.get("/healthz")).json() == {"status": "ok"}
        assert (await gateway.client.delete("/api/v1/auth/login")).status_code == 405

    @pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
    async def test_the_documents_are_not_the_page(self, gateway: GatewayHarness, path: str) -> None:
        response = await gateway.client.get(path)
        assert response.status_code == 200
        assert response.content != INDEX

    async def test_the_document_lists_no_route_of_the_web_application(
        self, gateway: GatewayHarness
    ) -> None:
        paths = (await gateway.client.get("/openapi.json")).json()["paths"]
        assert all(path.startswith("/api/") or path in ("/healthz", "/readyz") for path in paths)


async def test_an_unbuilt_application_answers_503_naming_the_command(
    identity_keys: tuple[str, str], tmp_path: Path
) -> None:
    settings = settings_for_test(
        "postgresql+asyncpg://nobody:nothing@127.0.0.1:9/none",
        identity_keys[0],
        GATEWAY_WEB_DIST=str(tmp_path / "not-built"),
    )
    harness = GatewayHarness.start(settings)
    try:
        response = await harness.client.get("/inventory")
        assert response.status_code == 503
        assert "make web" in response.json()["error"]["message"]
        assert (await harness.client.get("/api/v1/auth/me")).status_code == 401
    finally:
        await harness.close()


def test_the_default_build_folder_is_the_web_applications() -> None:
    assert DEFAULT_DIST == WEB / "dist"


def test_the_committed_api_client_matches_the_gateways_document() -> None:
    """src/api/ is generated from the live gateway's OpenAPI document; a route, parameter or
    model changed without regenerating it (``make web-client``) fails here."""
    result = subprocess.run(
        [sys.executable, str(WEB / "scripts" / "generate_client.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


async def test_the_built_application_is_served_by_default(
    identity_keys: tuple[str, str],
) -> None:
    """The real build (make web) behind the real factory: the page names its hashed bundle, and
    the bundle is there."""
    settings = settings_for_test(
        "postgresql+asyncpg://nobody:nothing@127.0.0.1:9/none", identity_keys[0]
    )
    harness = GatewayHarness.start(settings)
    try:
        page = await harness.client.get("/inventory")
        assert page.status_code == 200, "the web application is not built: run make web"
        script = page.text.split('src="', 1)[1].split('"', 1)[0]
        assert script.startswith("/assets/index-")
        bundle = await harness.client.get(script)
        assert bundle.status_code == 200
        assert bundle.headers["cache-control"].endswith("immutable")
    finally:
        await harness.close()
