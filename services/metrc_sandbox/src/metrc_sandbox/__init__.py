"""A local emulator of the Metrc v2 API subset Canopy uses (see admin.py for the harness API)."""

from metrc_sandbox.app import create_app
from metrc_sandbox.config import SandboxConfig
from metrc_sandbox.seed import DEFAULT_SEED, SeedDocument

__all__ = ["DEFAULT_SEED", "SandboxConfig", "SeedDocument", "create_app"]
