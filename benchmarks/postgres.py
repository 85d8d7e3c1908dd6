"""``python -m benchmarks --postgres`` (``make bench-pg``): the interactive actions on a
PostgreSQL server, directly and across a LAN's latency, and the time another PC takes to show a
commit.

A throwaway server (``benchmarks/pgserver.py``, TCP on 127.0.0.1) gets the cached synthetic
clinic by the program's own move-to-server (``copy_clinic``), once, then as two databases made
from it (one for each run: the runs book, sign and audit). Every interactive action of
``benchmarks/actions.py`` runs with the program connected

- directly (loopback TCP), and
- through ``benchmarks/latency.DelayProxy`` (in a process of its own), which holds every
  chunk so that each round trip takes ``--latency-ms`` (default 1 ms, a LAN) longer — measured, not assumed: the table's
  heading says what the proxy really added to one ``SELECT 1``.

For each action: the statements the program sent per call (peewee's ``execute_sql``: queries
and savepoints) and its round trips per call (every statement, BEGIN and COMMIT: one cursor,
one round trip), the median and the largest; p95 direct and with latency against the SQLite
targets; and "NO" past ``MAX_ROUND_TRIPS``. The cold starts run in processes of their own that
open the server (their times, not their statements); the actions that read everything are not
interactive.

Then the change bus: a second process (``benchmarks/processes.py commit``) books one
appointment at a time; this one shows the day in a schedule tab that follows the other PCs as
the main window does (``bus().watch_others``: LISTEN/NOTIFY, with the one-second poll behind
it), and the time from the commit to the booking in the tab's rows is taken — on loopback
(target p95 under 200 ms) and with the latency (the design's bound: 2 s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import actions, synthetic, timing
from .latency import ProxyProcess, added_round_trip_ms
from .pgserver import PgServer
from .timing import percentile

MAX_ROUND_TRIPS = 10
BUS_TARGET_MS = 200  # loopback
BUS_BOUND_MS = 2000  # by design, any network
# (the cold starts open the server in processes of their own: times, not this process's counts)
ACTIONS = tuple(a for a in actions.ACTIONS if a not in actions.NOT_INTERACTIVE)


class Counter:
    """The statements and round trips the open database sends from now on (any thread)."""

    def __init__(self) -> None:
        from medspa_desktop.store.database import db

        self.statements = 0
        self.round_trips = 0
        real = db.obj
        execute_sql, cursor = real.execute_sql, real.cursor

        def counting_sql(sql, *args, **kwargs):
            self.statements += 1
            self.sent.append(" ".join(str(sql).split())[:160])
            return execute_sql(sql, *args, **kwargs)

        def counting_cursor(*args, **kwargs):  # peewee: one cursor, one execute
            self.round_trips += 1
            return cursor(*args, **kwargs)

        real.execute_sql, real.cursor = counting_sql, counting_cursor
        self.per_call: list[tuple[int, int]] = []
        self.sent: list[str] = []  # the statements of the call under way
        self.last_sent: list[str] = []  # …and of the last timed call

    def counted(self, action):
        """``action`` that notes what each timed call (not the warm-up) sent."""
        def each(i: int):
            before = self.statements, self.round_trips
            self.sent = []
            found = action(i)
            if i >= 0:
                self.last_sent = list(self.sent)
                self.per_call.append((self.statements - before[0],
                                      self.round_trips - before[1]))
            return found
        return each


@dataclass
class Row:
    action: str
    limit: float  # p95 target, ms (SQLite's)
    statements: int | None = 0  # per call, median (None: counted in another process)
    statements_max: int = 0
    round_trips: int = 0  # per call, median
    round_trips_max: int = 0
    p95_direct: float | None = None
    p95_latency: float | None = None
    median_direct: float | None = None
    median_latency: float | None = None
    sent: list[str] = field(default_factory=list)  # one call's statements, when too many

    @property
    def too_chatty(self) -> bool:
        return self.round_trips_max > MAX_ROUND_TRIPS

    def as_dict(self) -> dict:
        return {**asdict(self), "within_direct": (self.p95_direct or 0) <= self.limit,
                "within_latency": (self.p95_latency or 0) <= self.limit,
                "above_round_trip_limit": self.too_chatty}


@dataclass
class BusResult:
    samples_ms: list[float] = field(default_factory=list)
    round_trips: list[int] = field(default_factory=list)  # this process's, per commit heard
    sent: list[str] = field(default_factory=list)  # the statements the last one took

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 0.95)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _time_actions(url: str, cached: Path, anchor: dt.date, scale: float, quick: bool,
                  say, only: set[str] | None = None) -> dict[str, tuple[timing.Result, list[tuple[int, int]], list[str]]]:
    """Each action's result on ``url``, what each of its timed calls sent (statements, round
    trips) and the statements of its last call."""
    from medspa_desktop.services.platform import listen
    from medspa_desktop.store.database import close_database, db, open_database

    open_database(url)
    # as in the program's window: the PC listens on a connection of its own, which also keeps
    # the permission check's accounts fresh (off the actions' path)
    listener = listen.Listener(dict(db.obj.connect_params, dbname=db.obj.database), lambda: None)
    listener.start()
    listener.connected.wait(15)
    raw = sqlite3.connect(f"file:{cached}?mode=ro", uri=True, check_same_thread=False)
    counter = Counter()
    plain = actions.times_ms
    actions.times_ms = lambda action, repetitions, warmup=2: plain(
        counter.counted(action), repetitions, warmup)
    found = {}
    try:
        context = actions.Context(cached, anchor, scale, quick, raw, say, lower_bounds=False,
                                  target=url)
        for action in ACTIONS:
            if only and action.__name__ not in only:
                continue
            say(f"timing {action.__name__}")
            counter.per_call.clear()
            result = action(context)
            found[action.__name__] = (result, list(counter.per_call), counter.last_sent)
    finally:
        actions.times_ms = plain
        listener.stop()
        raw.close()
        close_database()
    return found


def _change_bus(url: str, anchor: dt.date, count: int, say) -> BusResult:
    """Another process books ``count`` appointments one by one; the time from each commit
    until this process's schedule tab has it."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from medspa_desktop.store.database import close_database, open_database
    from medspa_desktop.store.models import User
    from medspa_desktop.ui.bus import bus
    from medspa_desktop.ui.schedule.tab import ScheduleTab

    app = QApplication.instance()
    # the windows the actions closed go now: one waiting to be deleted would still hear the
    # bus (and read the server) when the other process commits
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()

    def wait_for(condition, seconds: float) -> bool:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            app.processEvents()
            if condition():
                return True
            time.sleep(0.0005)
        return False

    day = anchor + dt.timedelta(days=500)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)  # a Monday past every booking
    open_database(url)
    counter = Counter()
    tab = ScheduleTab(User.get(User.username == "frontdesk"))
    tab.resize(1280, 800)
    tab.show()
    tab.set_day(day)
    bus().watch_others(True)
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.processes", "commit", url, day.isoformat()],
        cwd=Path(__file__).resolve().parent.parent, text=True, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    result = BusResult()
    try:
        if not wait_for(lambda: bus()._listener is not None
                        and bus()._listener.connected.is_set(), 15):
            raise RuntimeError("the schedule never started listening to the server")
        if child.stdout.readline().strip() != "READY":
            raise RuntimeError(f"the committing process failed: {child.stderr.read()[-2000:]}")
        for _ in range(count):
            before = {r.id for r in tab.rows}
            trips, counter.sent = counter.round_trips, []
            child.stdin.write("book\n")
            child.stdin.flush()
            if not wait_for(lambda before=before: {r.id for r in tab.rows} - before, 10):
                raise RuntimeError("another process's booking never showed")
            seen = time.time()
            result.round_trips.append(counter.round_trips - trips)
            result.sent = list(counter.sent)
            made = json.loads(child.stdout.readline())
            result.samples_ms.append((seen - made["committed"]) * 1000)
            wait_for(lambda: False, 0.05)  # the next one is not the same burst
    finally:
        with contextlib.suppress(Exception):
            child.communicate("", timeout=60)
        bus().watch_others(False)
        tab.close()
        tab.deleteLater()
        app.processEvents()
        close_database()
    say(f"change bus: p95 {result.p95:.0f} ms over {count} commits")
    return result


def measure(folder: Path, scale: float, quick: bool, latency_ms: float, say,
            only: set[str] | None = None) -> dict:
    """Everything, or the actions named in ``only`` (``change_bus`` names the other PC's
    commit)."""
    from medspa_desktop.services.exchange.copy_clinic import copy_clinic
    from medspa_desktop.store.database import close_database

    cached, anchor = synthetic.cached_clinic(folder, scale, say)
    port = _free_port()
    where = Path(tempfile.mkdtemp(prefix="medspa-bench-pg-"))
    server = PgServer(where, port=port)
    say(f"starting a PostgreSQL server on 127.0.0.1:{port}")
    server.start()
    proxy = None
    try:
        server.create_database("clinic")
        say("copying the clinic into it (move-to-server)")
        started = time.perf_counter()
        copy_clinic(cached, server.url("clinic", port))
        moved_s = time.perf_counter() - started
        close_database()
        for name in ("direct", "latency"):
            server.create_database(name, template="clinic")
        proxy = ProxyProcess(("127.0.0.1", port), latency_ms)
        direct_url, latency_url = server.url("direct", port), server.url("latency", proxy.port)
        round_trip, added = added_round_trip_ms(direct_url, latency_url)
        say(f"a round trip: {round_trip:.3f} ms direct, {added:.2f} ms more through the proxy")
        runs = {}
        for name, url in (("direct", direct_url), ("latency", latency_url)):
            say(f"the actions, {name}")
            runs[name] = _time_actions(url, cached, anchor, scale, quick, say, only)
        bus_count = 5 if quick else 20
        bus_direct = bus_latency = None
        if not only or "change_bus" in only:
            bus_direct = _change_bus(direct_url, anchor, bus_count, say)
            bus_latency = _change_bus(latency_url, anchor, bus_count, say)
    finally:
        if proxy is not None:
            proxy.close()
        server.stop()
        shutil.rmtree(where, ignore_errors=True)
    rows = []
    for name, (direct, calls, sent) in runs["direct"].items():
        slow = runs["latency"][name][0]
        statements = sorted(s for s, _ in calls) or [0]
        trips = sorted(t for _, t in calls) or [0]
        rows.append(Row(direct.action, direct.limit, statements[len(statements) // 2],
                        statements[-1], trips[len(trips) // 2], trips[-1], direct.p95,
                        slow.p95, direct.median, slow.median))
        if not calls:  # a process of its own (the cold starts): its statements are not seen
            rows[-1].statements = rows[-1].round_trips = None
        if rows[-1].too_chatty:
            rows[-1].sent = sent
    return {"scale": scale, "latency_ms": latency_ms, "round_trip_ms": round_trip,
            "added_round_trip_ms": added, "move_to_server_s": moved_s, "rows": rows,
            "bus_direct": bus_direct, "bus_latency": bus_latency}


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def table(found: dict) -> str:
    head = ["action", "statements", "round trips", "median direct", "+latency", "p95 direct",
            "+latency", "target", "within", f"<= {MAX_ROUND_TRIPS} trips"]
    lines = []
    for r in found["rows"]:
        counted = r.statements is not None
        lines.append([r.action, f"{r.statements} (max {r.statements_max})" if counted
                      else "(own process)",
                      f"{r.round_trips} (max {r.round_trips_max})" if counted else "",
                      _ms(r.median_direct),
                      _ms(r.median_latency), _ms(r.p95_direct),
                      _ms(r.p95_latency), f"p95 <= {r.limit:g} ms",
                      ("yes" if (r.p95_direct or 0) <= r.limit else "NO") + " / "
                      + ("yes" if (r.p95_latency or 0) <= r.limit else "NO"),
                      ("NO" if r.too_chatty else "yes") if counted else ""])
    for name, bus, limit in (("commit on one PC -> shown on another, direct",
                              found["bus_direct"], BUS_TARGET_MS),
                             ("commit on one PC -> shown on another, +latency",
                              found["bus_latency"], BUS_BOUND_MS)):
        if bus is None:  # --only without change_bus
            continue
        trips = sorted(bus.round_trips) or [0]
        lines.append([name, "", f"{trips[len(trips) // 2]} (max {trips[-1]})",
                      _ms(bus.median) if "direct" in name else "",
                      "" if "direct" in name else _ms(bus.median),
                      _ms(bus.p95) if "direct" in name else "",
                      "" if "direct" in name else _ms(bus.p95), f"p95 <= {limit:g} ms",
                      "yes" if bus.p95 <= limit else "NO", ""])
    widths = [max(len(str(x)) for x in column) for column in zip(head, *lines, strict=False)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    for row in lines:
        out.append("  ".join(c.ljust(w) if i in (0, 7) else c.rjust(w)
                             for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(out)


def as_json(found: dict) -> dict:
    return {**{k: v for k, v in found.items()
               if k not in ("rows", "bus_direct", "bus_latency")},
            "results": [r.as_dict() for r in found["rows"]],
            "change_bus": {name: {"samples_ms": found[f"bus_{name}"].samples_ms,
                                  "p95_ms": found[f"bus_{name}"].p95,
                                  "round_trips": found[f"bus_{name}"].round_trips,
                                  "sent": found[f"bus_{name}"].sent,
                                  "target_ms": limit}
                           for name, limit in (("direct", BUS_TARGET_MS),
                                               ("latency", BUS_BOUND_MS))
                           if found[f"bus_{name}"] is not None},
            "round_trip_limit": MAX_ROUND_TRIPS}
