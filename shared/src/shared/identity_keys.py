"""Create the identity key pair once: ``python -m shared.identity_keys --dir DIR [--owner UID]``.

Writes ``private.pem`` (mode 0400, for the gateway only) and ``public.pem`` (0444, for every
service); does nothing when they exist. ``--public-dir`` puts the public key elsewhere, so that a
deployment can hand the services a volume without the private key.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shared.identity import generate_keypair

__all__ = ["ensure_keypair"]


def ensure_keypair(private_dir: Path, public_dir: Path, owner: int | None = None) -> bool:
    """Create the pair unless it exists; returns True when it was created."""
    private, public = private_dir / "private.pem", public_dir / "public.pem"
    if private.exists() and public.exists():
        return False
    private_dir.mkdir(parents=True, exist_ok=True)
    public_dir.mkdir(parents=True, exist_ok=True)
    private_pem, public_pem = generate_keypair()
    # Created private from the start: the key is never readable by others, not even briefly.
    descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o400)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(private_pem)
    public.write_text(public_pem)
    public.chmod(0o444)
    if owner is not None:
        os.chown(private, owner, owner)
        os.chown(public, owner, owner)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="where private.pem goes")
    parser.add_argument("--public-dir", type=Path, help="where public.pem goes (default: --dir)")
    parser.add_argument("--owner", type=int, help="uid (and gid) to own the files")
    args = parser.parse_args(argv)
    created = ensure_keypair(args.dir, args.public_dir or args.dir, args.owner)
    sys.stdout.write("identity keys created\n" if created else "identity keys already present\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
