"""An open-loop HTTP/1.1 load generator that corrects for coordinated omission.

Requests leave on a fixed schedule (``rate`` per second, evenly spaced), whether or not earlier
answers have come back, and each one's latency is counted from its *intended* send time: a
request the generator could only send late (its event loop was busy, no connection was free)
is charged the wait, as a user arriving at that moment would feel it. A closed-loop generator
(wrk, each connection waiting for its answer) sends less while the server is slow and so never
measures the slow moments it caused.

Lean on purpose, so it does not take the cores the server needs: uvloop, raw HTTP/1.1 on
keep-alive connections opened before the run (a request needing one when all are busy opens
another at once, never waiting for an answer), requests encoded once, responses parsed only
for status and length. It reports its own CPU per request.

Input (JSON on stdin): ``{"host", "port", "requests": [raw HTTP request text, ...], "rate",
"seconds", "connections"}``; request ``i`` is ``requests[i % len(requests)]``. Output (JSON on
stdout): counts, statuses, latency from the intended send time, service time from the actual
send, how late sends left, connections used, and the generator's CPU.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import sys
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

import uvloop

_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


class Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.request: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, index: int, payload: bytes) -> None:
        self.request = index
        assert self.transport is not None
        self.transport.write(payload)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        found = _LENGTH.search(self.buffer, 0, end + 2)
        length = int(found.group(1)) if found else 0
        if len(self.buffer) < end + 4 + length:
            return
        status = int(self.buffer[9:12])
        del self.buffer[: end + 4 + length]
        index, self.request = self.request, None
        if index is not None:
            self.generator.done(self, index, status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.generator.lost(self)


class Generator:
    def __init__(self, config: dict[str, Any]) -> None:
        self.host: str = config["host"]
        self.port: int = config["port"]
        self.payloads = [r.encode() for r in config["requests"]]
        self.rate: float = config["rate"]
        self.total = int(self.rate * config["seconds"])
        self.preopened: int = config["connections"]
        self.idle: deque[Connection] = deque()
        self.opened = 0
        self.busy = 0
        self.most_busy = 0
        self.intended = [0.0] * self.total
        self.sent = [0.0] * self.total
        self.finished = [0.0] * self.total
        self.statuses: Counter[str] = Counter()
        self.outstanding = 0
        self.all_done = asyncio.Event()

    async def connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(lambda: Connection(self), self.host, self.port)
        self.opened += 1
        return connection

    def done(self, connection: Connection, index: int, status: int) -> None:
        self.finished[index] = time.perf_counter()
        self.statuses[str(status)] += 1
        self.busy -= 1
        self.idle.append(connection)
        self._settle()

    def lost(self, connection: Connection) -> None:
        if connection in self.idle:
            self.idle.remove(connection)
        if connection.request is not None:
            self.statuses["connection lost"] += 1
            self.busy -= 1
            self._settle()

    def _settle(self) -> None:
        self.outstanding -= 1
        if self.outstanding == 0:
            self.all_done.set()

    def dispatch(self, index: int) -> None:
        self.busy += 1
        self.most_busy = max(self.most_busy, self.busy)
        payload = self.payloads[index % len(self.payloads)]
        if self.idle:
            self.sent[index] = time.perf_counter()
            self.idle.popleft().send(index, payload)
            return

        async def on_a_new_connection() -> None:
            connection = await self.connect()
            self.sent[index] = time.perf_counter()
            connection.send(index, payload)

        asyncio.get_running_loop().create_task(on_a_new_connection())

    async def run(self) -> dict[str, Any]:
        for connection in await asyncio.gather(*(self.connect() for _ in range(self.preopened))):
            self.idle.append(connection)
        # Let the server accept every connection before the schedule starts.
        await asyncio.sleep(0.3)
        self.outstanding = self.total
        usage_before, waited_before = resource.getrusage(resource.RUSAGE_SELF), runqueue_wait()
        start = time.perf_counter() + 0.05
        interval = 1.0 / self.rate
        for index in range(self.total):
            self.intended[index] = start + index * interval
        index = 0
        while index < self.total:
            now = time.perf_counter()
            # Everything due by now leaves now; the loop's lateness is charged to each request.
            while index < self.total and self.intended[index] <= now:
                self.dispatch(index)
                index += 1
            if index < self.total:
                # uvloop's timers tick in whole milliseconds: a shorter sleep returns at once and
                # the loop would spin until the moment comes. Sleeping 1 ms instead sends up to
                # 1 ms late, which is measured and charged like any other lateness.
                await asyncio.sleep(max(0.001, self.intended[index] - time.perf_counter()))
        try:
            await asyncio.wait_for(self.all_done.wait(), timeout=30)
        except TimeoutError:
            self.statuses["no answer in 30 s"] += self.outstanding
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
        return self.report(cpu, runqueue_wait() - waited_before)

    def report(self, cpu: float, waited: float) -> dict[str, Any]:
        answered = [i for i in range(self.total) if self.finished[i]]
        latency = sorted((self.finished[i] - self.intended[i]) * 1000 for i in answered)
        service = sorted((self.finished[i] - self.sent[i]) * 1000 for i in answered)
        lateness = sorted((self.sent[i] - self.intended[i]) * 1000 for i in answered)
        elapsed = max(self.finished) - self.intended[0] if answered else 0.0
        return {
            "offered_rate": self.rate,
            "requests": self.total,
            "answered": len(answered),
            "achieved_rate": len(answered) / elapsed if elapsed else 0.0,
            "statuses": dict(self.statuses),
            "latency_ms": percentiles(latency),
            "service_ms": percentiles(service),
            "send_lateness_ms": percentiles(lateness),
            "connections_opened": self.opened,
            "most_in_flight": self.most_busy,
            "cpu_seconds": cpu,
            "cpu_ms_per_request": cpu / self.total * 1000 if self.total else 0.0,
            "runqueue_wait_seconds": waited,
            # When each answered request was meant to leave (this machine's monotonic clock,
            # as time.perf_counter reads it in any process) and its latency, for the caller
            # to line up with what else the machine was doing then.
            "timeline": [[self.intended[i], latency_of] for i, latency_of in self._latencies()],
        }

    def _latencies(self) -> list[tuple[int, float]]:
        return [
            (i, round((self.finished[i] - self.intended[i]) * 1000, 3))
            for i in range(self.total)
            if self.finished[i]
        ]


def runqueue_wait() -> float:
    """Seconds this process's threads have spent runnable but waiting for a CPU (Linux)."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def percentiles(ordered: list[float]) -> dict[str, float]:
    if not ordered:
        return {}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "p99.9": at(0.999),
        "max": ordered[-1],
    }


def main() -> None:
    config = json.load(sys.stdin)
    result = uvloop.run(Generator(config).run())
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
