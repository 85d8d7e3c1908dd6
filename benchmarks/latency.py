"""A delaying loopback TCP proxy: a LAN's latency put between the program and its PostgreSQL
server, for real rather than computed.

``DelayProxy(("127.0.0.1", server_port), round_trip_ms=1.0)`` listens on 127.0.0.1 (``port``)
and forwards every connection to the server, holding each chunk it forwards for half the
round trip in each direction, so a statement and its answer arrive ``round_trip_ms`` later
than without it. Threads, not asyncio: a thread's ``time.sleep`` keeps to a tenth of a
millisecond, an event loop's timers round up to whole milliseconds. Chunks keep their order;
what is in flight does not wait for what is behind it (a wire's latency, not a queue's).

``ProxyProcess`` runs it in a process of its own (``python -m benchmarks.latency HOST PORT MS``):
in the benchmark's process its threads would wait for the interpreter's lock while the program
works (up to its 5 ms switch interval per chunk), which is no network's latency.

``added_round_trip_ms`` measures what the proxy really adds: one trivial statement's round trip
through it against the same without it.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


class DelayProxy:
    def __init__(self, upstream: tuple[str, int], round_trip_ms: float) -> None:
        self.upstream = upstream
        self.one_way_s = round_trip_ms / 2000
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="delay-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, server]
            self._pump(client, server)
            self._pump(server, client)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        """Forward what ``source`` sends to ``target``, each chunk ``one_way_s`` after it came."""
        held: queue.SimpleQueue = queue.SimpleQueue()

        def read() -> None:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                held.put((time.perf_counter() + self.one_way_s, data))
                if not data:
                    return

        def write() -> None:
            while True:
                due, data = held.get()
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                if not data:
                    with contextlib.suppress(OSError):
                        target.shutdown(socket.SHUT_WR)
                    return
                try:
                    target.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.close()
            self._sockets.clear()


class ProxyProcess:
    """A ``DelayProxy`` in a process of its own; ``port`` is where it listens."""

    def __init__(self, upstream: tuple[str, int], round_trip_ms: float) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.latency", upstream[0], str(upstream[1]),
             str(round_trip_ms)], cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self._process.stdout.readline())

    def close(self) -> None:
        self._process.communicate("", timeout=30)


def _serve(host: str, port: str, round_trip: str) -> None:
    proxy = DelayProxy((host, int(port)), float(round_trip))
    print(proxy.port, flush=True)
    sys.stdin.read()  # until the benchmark closes it
    proxy.close()


def round_trip_ms(url: str, repetitions: int = 200) -> float:
    """The median time of ``SELECT 1`` on one connection to ``url``, ms."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        for _ in range(10):
            con.execute("SELECT 1").fetchone()
        samples = []
        for _ in range(repetitions):
            started = time.perf_counter()
            con.execute("SELECT 1").fetchone()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def added_round_trip_ms(direct_url: str, proxied_url: str) -> tuple[float, float]:
    """The median round trip without the proxy, and what the proxy adds to it (ms)."""
    direct = round_trip_ms(direct_url)
    return direct, round_trip_ms(proxied_url) - direct


if __name__ == "__main__":
    _serve(*sys.argv[1:])
