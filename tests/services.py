"""Throwaway Postgres and Redis servers on free 127.0.0.1 ports, for the deployment tests.

Each starts its own instance in a temporary directory (nothing of a system-wide service is
used or changed) and is stopped at the end of the block. Where the Debian packages
``postgresql`` / ``redis-server`` are missing, the caller is told why, to skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ServiceMissing(RuntimeError):
    """A server binary is not installed (the message says which package brings it)."""


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Wait until ``port`` accepts connections; fail with the log's tail if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited {process.returncode}: {_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{log.name}: no answer on port {port} after {seconds} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def postgres_bin(name: str) -> str:
    """Return the path of a PostgreSQL server program (Debian keeps them off PATH)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise ServiceMissing(f"{name} not found (Debian: apt-get install postgresql)")
    return found


def _as_postgres_user() -> list[str]:
    """Postgres refuses to run as root: run it as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServiceMissing("running as root and runuser is missing: cannot start postgres")
    return [runuser, "-u", "postgres", "--"]


@contextmanager
def postgres_server(seconds: float = 60) -> Iterator[str]:
    """Run a fresh PostgreSQL cluster; yield its URI (user ``postgres``, trust on loopback)."""
    initdb, postgres = postgres_bin("initdb"), postgres_bin("postgres")
    sudo = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="clh-pg-"))
    if sudo:
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "postgres.log"
    subprocess.run(
        [*sudo, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        timeout=seconds,
    )
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*sudo, postgres, "-D", str(data), "-p", str(port), "-h", "127.0.0.1", "-k", str(root)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log, seconds)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _stop(process)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis_server(seconds: float = 30) -> Iterator[str]:
    """Run a fresh Redis on loopback without persistence; yield its URI."""
    redis = shutil.which("redis-server")
    if redis is None:
        raise ServiceMissing("redis-server not found (Debian: apt-get install redis-server)")
    root = Path(tempfile.mkdtemp(prefix="clh-redis-"))
    port, log = free_port(), root / "redis.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                redis,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(root),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log, seconds)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server: SIGTERM, then SIGKILL if it is still there after 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
