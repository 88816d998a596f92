"""The AsyncAPI document of Canopy's events, served next to the OpenAPI document.

Public documentation like ``/openapi.json`` and ``/docs``: no credentials, and outside the OpenAPI
document (it describes Kafka topics, not HTTP operations). The file is the one committed in
``shared/events`` (``make asyncapi``), read once at startup.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from shared.events.asyncapi import ASYNCAPI_FILE

__all__ = ["ASYNCAPI_PATH", "router"]

ASYNCAPI_PATH = "/asyncapi.json"
# The AsyncAPI initiative's standalone renderer, pinned, from a CDN as FastAPI's /docs takes
# Swagger UI: the page is for people reading the document in a browser, nothing depends on it.
_RENDERER = "https://cdn.jsdelivr.net/npm/@asyncapi/react-component@3.2.1"
_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Canopy events (AsyncAPI)</title>
  <link rel="stylesheet" href="{_RENDERER}/styles/default.min.css">
</head>
<body>
  <noscript>The document itself: <a href="{ASYNCAPI_PATH}">{ASYNCAPI_PATH}</a></noscript>
  <div id="asyncapi"></div>
  <script src="{_RENDERER}/browser/standalone/index.js"></script>
  <script>
    AsyncApiStandalone.render(
      {{schema: {{url: "{ASYNCAPI_PATH}"}}, config: {{show: {{sidebar: true}}}}}},
      document.getElementById("asyncapi"),
    );
  </script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)
_DOCUMENT = ASYNCAPI_FILE.read_bytes()


@router.get(ASYNCAPI_PATH)
async def asyncapi_document() -> Response:
    return Response(_DOCUMENT, media_type="application/json")


@router.get("/asyncapi")
async def asyncapi_page() -> HTMLResponse:
    return HTMLResponse(_PAGE)
