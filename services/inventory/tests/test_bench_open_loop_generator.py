"""The open-loop generator of `make bench-inventory` corrects for coordinated omission: against a
server that stalls, requests keep leaving on schedule (on more connections if need be) and each
one's latency counts from when it was meant to leave, so every request that arrived during a
stall is charged for it."""

from __future__ import annotations

import asyncio
import json
import re
import sys

from shared.testing.infra import repo_root

GENERATOR = repo_root() / "services" / "inventory" / "bench" / "open_loop.py"
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)
ANSWER = b"content-length: 2\r\n\r\n{}"


class StallingServer(asyncio.Protocol):
    """Answers at once, except during the first 300 ms of every second, when every answer
    waits until the stall is over (as a server descheduled or paused would)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        found = _LENGTH.search(self.buffer, 0, end)
        del self.buffer[: end + 4 + (int(found.group(1)) if found else 0)]
        loop = asyncio.get_running_loop()
        stall_left = max(0.0, 0.3 - loop.time() % 1.0)
        loop.call_later(stall_left, self.transport.write, b"HTTP/1.1 200 OK\r\n" + ANSWER)


async def test_a_stall_is_charged_to_every_request_that_arrived_during_it() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(StallingServer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = {
        "host": "127.0.0.1",
        "port": port,
        "requests": [f"GET /x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"],
        "rate": 200,
        "seconds": 3,
        "connections": 8,
    }
    generator = await asyncio.create_subprocess_exec(
        sys.executable, str(GENERATOR), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await generator.communicate(json.dumps(config).encode())
    server.close()
    report = json.loads(out)
    assert report["statuses"] == {"200": 600}
    # About 30 % of the requests were meant to leave during a stall, and waited up to 300 ms
    # (more if this busy machine stalls the test's own server too).
    latencies = sorted(latency for _, latency in report["timeline"])
    stalled = sum(1 for latency in latencies if latency > 20)
    assert 0.2 * 600 < stalled < 0.6 * 600, stalled
    assert report["latency_ms"]["p99"] > 200
    # Nothing waited for an answer to be sent: 8 connections were not enough, so it opened more
    # (about 60 requests are in flight at the end of a stall), and sends left on time.
    assert report["connections_opened"] > 40
    assert report["most_in_flight"] == report["connections_opened"]
    assert report["send_lateness_ms"]["p50"] < 5
