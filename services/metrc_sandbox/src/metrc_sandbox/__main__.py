"""``python -m metrc_sandbox serve [--host H] [--port P] [--seed-file seed.json|yaml]``.

Environment: METRC_SANDBOX_HOST, METRC_SANDBOX_PORT, METRC_SANDBOX_SEED_FILE, METRC_SANDBOX_LOG_LEVEL,
and METRC_SANDBOX_<CONFIG FIELD> (e.g. METRC_SANDBOX_LATENCY_MS=40) for the runtime config.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from pydantic import ValidationError

from metrc_sandbox.app import create_app
from metrc_sandbox.config import SandboxConfig
from metrc_sandbox.seed import SeedDocument, SeedError


def load_seed(path: Path) -> SeedDocument:
    text = path.read_text(encoding="utf-8")
    document: Any = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    return SeedDocument.model_validate(document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrc_sandbox")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox HTTP server")
    serve.add_argument("--host", default=os.environ.get("METRC_SANDBOX_HOST", "127.0.0.1"))
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("METRC_SANDBOX_PORT", "8090"))
    )
    serve.add_argument("--seed-file", type=Path, default=os.environ.get("METRC_SANDBOX_SEED_FILE"))
    serve.add_argument("--log-level", default=os.environ.get("METRC_SANDBOX_LOG_LEVEL", "info"))
    args = parser.parse_args(argv)
    try:
        seed = load_seed(args.seed_file) if args.seed_file else None
        app = create_app(SandboxConfig.from_env(), seed)
    except (OSError, ValueError, ValidationError, SeedError) as exc:
        sys.stderr.write(f"metrc-sandbox: cannot start: {exc}\n")
        return 2
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, ws="none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
