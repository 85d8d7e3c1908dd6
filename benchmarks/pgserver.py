"""A private PostgreSQL server for the multi-PC tests and ``python -m benchmarks --postgres``:
its own cluster in a temporary folder, reachable through a Unix socket in that folder (and,
given a ``port``, on TCP at 127.0.0.1 only), stopped at the end of the run.

Found through PATH or Debian's /usr/lib/postgresql/N/bin. PostgreSQL refuses to run as root,
so under root (CI) the cluster belongs to the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PgServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port
        self.data = folder / "data"
        self.socket_dir = folder / "socket"
        self.initdb = find_bin("initdb")
        self.pg_ctl = find_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise FileNotFoundError("PostgreSQL server programs (initdb, pg_ctl) not found")
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.socket_dir.mkdir(parents=True)
        self.data.mkdir()
        if self._as:
            shutil.chown(self.folder, "postgres")
            for path in (self.data, self.socket_dir):
                shutil.chown(path, "postgres")
            self.folder.chmod(0o755)
        self._run(self.initdb, "-D", str(self.data), "--auth=trust", "-U", self.user,
                  "--encoding=UTF8", "--locale=C")
        self.resume()

    def resume(self) -> None:
        """Start the cluster (again, after :meth:`stop`: a server back after an outage)."""
        listen = f"-c listen_addresses=127.0.0.1 -p {self.port}" if self.port else (
            "-c listen_addresses=''")
        options = f"-k {self.socket_dir} {listen} -c fsync=off"
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "start",
                  "-l", str(self.folder / "server.log"))

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres", port: int | None = None) -> str:
        """The database's address: through the Unix socket, or at 127.0.0.1:``port`` (the
        server's own port, or a proxy's in front of it)."""
        if port:
            return f"postgresql://{self.user}@127.0.0.1:{port}/{database}"
        # psycopg reads a socket folder as the host
        return (f"postgresql://{self.user}@/{database}?host={self.socket_dir}"
                + (f"&port={self.port}" if self.port else ""))

    def create_database(self, name: str, template: str | None = None) -> str:
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), port=self.port or 5432,
                             user=self.user, dbname="postgres", autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"'
                        + (f' TEMPLATE "{template}"' if template else ""))
        return name
