"""The exactly-once fault run at the issue's size: 200 intakes and 1,000 adjustments pushed to
the Metrc sandbox while it loses responses, answers 429 storms and 5xx on every write endpoint,
and compliance's worker and relay are SIGKILLed at random moments (alongside, 100 plant batches
and 400 changes to them: adjustments, moves, growth phase changes; 10 harvests of two flowering
plants, each made into two packages; 10 plant batches planted from a package of clones; under
faults on the cultivation writes too: one Metrc plant batch per planting with inventory's count
and location, one plant per tag, one package per package made from a harvest with inventory's
quantity, each harvest's packaged and remaining weight as inventory's, the clones' package
drawn once per planting; 10 outgoing transfers, the worker also killed on purpose while Metrc
makes a template and while it archives one: one template per transfer, each cancelled one
archived once, each sent one settled in inventory from one event, and the receiver's incoming
deliveries published once per change); then Metrc down for a whole
run (every write answered 503) and back. Each ends with exactly one package per batch holding
inventory's physical quantity, nothing failed, and (after the outage) every package's
adjustments in inventory's order; anything else is printed and the run exits non-zero. The last
line says ``exactly once`` with what was proven, or ``FAILED``.

By default the first phase blends every fault and the kills. ``--faults`` picks the blend
(``--faults lost_response,kill`` for lost answers and kills only, ``--faults none`` for the
load alone), ``--blends N`` adds N batches made from two of the others (their ingredients'
draws pushed among the adjustments).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time

from compliance.fault_run import FAULT_KINDS, METRC_WRITES, FaultRun, settle_and_check
from compliance.sandbox_world import LICENSE, MetrcSite
from shared.identity import generate_keypair
from shared.testing.infra import KafkaServer, PostgresServer, repo_root
from shared.testing.platform import start_platform

SETTINGS = {
    "COMPLIANCE_METRC_CONNECT_TIMEOUT_SECONDS": "1",
    "COMPLIANCE_METRC_READ_TIMEOUT_SECONDS": "3",
    "COMPLIANCE_METRC_CALL_ATTEMPTS": "2",
    "COMPLIANCE_METRC_MAX_RETRY_AFTER_SECONDS": "1",
    "COMPLIANCE_METRC_MAX_BACKOFF_SECONDS": "1",
    "COMPLIANCE_METRC_LAG_SECONDS": "1",
    "COMPLIANCE_PUSH_FIRST_RETRY_SECONDS": "0.5",
    "COMPLIANCE_PUSH_MAX_RETRY_SECONDS": "2",
    "COMPLIANCE_PUSH_MAX_ATTEMPTS": "500",
    "COMPLIANCE_RECOVERY_INTERVAL_SECONDS": "1",
    "COMPLIANCE_PUSH_REST_SECONDS": "0.2",
    # Manifest rounds often, and a killed round's claim running out in 30 s, not 5 minutes.
    "COMPLIANCE_TRANSFER_POLL_SECONDS": "0.5",
    "COMPLIANCE_TRANSFER_CLAIM_SECONDS": "30",
    "LOG_LEVEL": "WARNING",
}


async def run(
    args: argparse.Namespace, proven: list[str], postgres: PostgresServer, kafka: KafkaServer
) -> bool:
    """Both phases; what each proved is added to ``proven``."""
    platform = await start_platform(
        postgres,
        kafka,
        generate_keypair(),
        repo_root() / ".stack" / "fault-metrc-push",
        compliance=SETTINGS,
    )
    assert platform.compliance is not None
    ok = True
    api_key = platform.admin_key()
    try:
        for phase, reset in (("faults and kills", True), ("Metrc down, then back", False)):
            site = await MetrcSite.create(
                gateway_url=platform.gateway_url,
                api_key=api_key,
                metrc_url=platform.compliance.metrc_url,
                compliance_database_url=platform.compliance.database_url,
                package_tags=args.intakes
                + args.down_intakes
                + 2 * args.harvests
                + args.transfers
                + 11,
                plant_tags=args.plant_changes + 2 * args.harvests + 10 if reset else 0,
                reset=reset,
                name=phase,
                site_license=LICENSE if reset else f"{LICENSE}-B",
            )
            fault_run = FaultRun(
                site,
                platform.compliance,
                rng=random.Random(args.seed),
                fault_kinds=tuple(k for k in args.faults if k != "kill"),
            )
            started = time.perf_counter()
            try:
                if reset:
                    await fault_run.run(
                        intakes=args.intakes,
                        adjustments=args.adjustments,
                        kill_every=args.kill_every if "kill" in args.faults else 0,
                        blends=args.blends,
                        plantings=args.plantings,
                        plant_changes=args.plant_changes,
                        harvests=args.harvests,
                        package_plantings=args.package_plantings,
                        transfers=args.transfers,
                        patience=args.settle,
                    )
                    changes = None
                else:
                    down = [
                        {"method": m, "path": p, "kind": "status", "status": 503, "times": 10**6}
                        for m, p in METRC_WRITES
                    ]
                    await site.sandbox.post("/_sandbox/faults", json=down)
                    await fault_run.load(args.down_intakes, args.down_adjustments)
                    await site.sandbox.delete("/_sandbox/faults")
                    changes = fault_run.changes
                loaded = time.perf_counter() - started
                summary = await settle_and_check(
                    site,
                    fault_run.batches,
                    seconds=args.settle,
                    writes=fault_run.writes,
                    changes=changes,
                )
                proven.append(
                    f"{fault_run.writes} package writes"
                    if reset
                    else f"{fault_run.writes} in order after an outage"
                )
                if fault_run.cultivation is not None:
                    plants = await fault_run.cultivation.settle_and_check(seconds=args.settle)
                    summary = f"{summary}; {plants}"
                    proven.append(f"{fault_run.cultivation.writes} cultivation writes")
                if fault_run.transfers is not None:
                    transfers = await fault_run.transfers.settle_and_check(seconds=args.settle)
                    summary = f"{summary}; {transfers}"
                    proven.append(fault_run.transfers.counts())
                if reset:
                    proven.append(f"{fault_run.kills} kills, {fault_run.faults} faults")
                blend = ",".join(args.faults) if reset else "every write 503"
                print(
                    f"{phase} ({blend}): load {loaded:.0f} s, {fault_run.kills} kills,"
                    f" {fault_run.faults} faults injected; {summary}"
                )
            except AssertionError as error:
                ok = False
                print(f"{phase}: FAILED: {error}")
            finally:
                await site.close()
    finally:
        platform.stop()
    return ok


def fault_blend(text: str) -> tuple[str, ...]:
    """``--faults``: a comma-separated blend of the sandbox's faults and ``kill``, or ``none``."""
    chosen = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    if chosen == ("none",):
        return ()
    unknown = set(chosen) - {*FAULT_KINDS, "kill"}
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"not a fault: {', '.join(sorted(unknown)) or text!r};"
            f" choose from {', '.join((*FAULT_KINDS, 'kill'))}, or none"
        )
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n")[1],
    )
    parser.add_argument("--intakes", type=int, default=200)
    parser.add_argument("--adjustments", type=int, default=1000)
    parser.add_argument("--plantings", type=int, default=100, help="plant batches (faults run)")
    parser.add_argument("--plant-changes", type=int, default=400, help="their changes")
    parser.add_argument(
        "--harvests", type=int, default=10, help="harvests, two packages each (faults run)"
    )
    parser.add_argument(
        "--package-plantings", type=int, default=10, help="plantings from a package (faults run)"
    )
    parser.add_argument("--transfers", type=int, default=10, help="outgoing transfers (faults run)")
    parser.add_argument("--down-intakes", type=int, default=50)
    parser.add_argument("--down-adjustments", type=int, default=250)
    parser.add_argument(
        "--faults",
        type=fault_blend,
        default=(*FAULT_KINDS, "kill"),
        help=f"the blend of the first phase, comma-separated (default: all of"
        f" {','.join((*FAULT_KINDS, 'kill'))}), or none",
    )
    parser.add_argument(
        "--blends", type=int, default=0, help="batches made from two others (first phase)"
    )
    parser.add_argument("--kill-every", type=float, default=5.0, help="seconds, on average")
    parser.add_argument("--settle", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=7)
    proven: list[str] = []
    postgres, kafka = PostgresServer.acquire(), KafkaServer.acquire()
    try:
        ok = asyncio.run(run(parser.parse_args(), proven, postgres, kafka))
    finally:
        # Outside the run's event loop: releasing drops template databases on a loop of its own.
        print(postgres.release())
        print(kafka.release())
    print(f"metrc-faults: exactly once ({', '.join(proven)})" if ok else "metrc-faults: FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
