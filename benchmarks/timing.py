"""Repeat an action, keep its times, and judge them against the action's target."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95) of ``values``."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil, at least the first
    return ordered[int(rank) - 1]


def times_ms(action: Callable[[int], object], repetitions: int, warmup: int = 2) -> list[float]:
    """Milliseconds per call of ``action(i)`` for i in 0…repetitions-1, after ``warmup`` calls
    (the app runs warm: its pages are in SQLite's cache after the first screen)."""
    for i in range(warmup):
        action(-1 - i)
    result = []
    for i in range(repetitions):
        started = time.perf_counter()
        action(i)
        result.append((time.perf_counter() - started) * 1000)
    return result


@dataclass
class Result:
    """One line of the table. ``limit`` and ``unit`` say what the target is:
    unit "ms" — p95 at most ``limit``; "rows/s" and "share" — the value at least ``limit``;
    "MB" — at most ``limit``."""

    action: str
    unit: str
    limit: float
    median: float | None = None
    p95: float | None = None
    lower_bound: float | None = None  # median of the hand-written sqlite3 query, ms
    value: float | None = None  # for throughput, share and memory targets
    repetitions: int = 0
    interactive: bool = True  # counts for the growth check
    note: str = ""
    details: dict = field(default_factory=dict)

    @classmethod
    def timed(cls, action: str, limit: float, samples: list[float], *,
              lower: list[float] | None = None, **extra) -> Result:
        return cls(action, "ms", limit, statistics.median(samples), percentile(samples, 0.95),
                   statistics.median(lower) if lower else None, repetitions=len(samples),
                   **extra)

    @property
    def measured(self) -> float | None:
        return self.p95 if self.unit == "ms" else self.value

    @property
    def within(self) -> bool | None:
        if self.measured is None:
            return None
        if self.unit in ("rows/s", "share"):
            return self.measured >= self.limit
        return self.measured <= self.limit

    @property
    def ratio(self) -> float | None:
        """How many times the lower bound the action's median takes."""
        if self.median is None or not self.lower_bound:
            return None
        return self.median / self.lower_bound

    @property
    def target(self) -> str:
        return {"ms": f"p95 <= {self.limit:g} ms", "rows/s": f">= {self.limit:,.0f} rows/s",
                "share": f">= {self.limit:.0%} of a raw copy",
                "MB": f"<= {self.limit:g} MB"}[self.unit]

    def as_dict(self) -> dict:
        return {**asdict(self), "target": self.target, "within": self.within,
                "ratio": self.ratio}


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def table(results: list[Result], growth: dict[str, float] | None = None) -> str:
    """The results as a plain-text table (with the growth column when given)."""
    head = ["action", "median ms", "p95 ms", "lower ms", "ratio", "value", "target", "within"]
    if growth is not None:
        head.append("S=10/S=1")
    lines = []
    for r in results:
        value = ("" if r.value is None else f"{r.value:,.0f}" if r.unit == "rows/s"
                 else f"{r.value:.0%}" if r.unit == "share" else f"{r.value:,.0f} MB")
        row = [r.action, _ms(r.median), _ms(r.p95), _ms(r.lower_bound),
               "" if r.ratio is None else f"{r.ratio:.1f}x", value, r.target,
               {True: "yes", False: "NO", None: "-"}[r.within]]
        if growth is not None:
            g = growth.get(r.action)
            row.append("" if g is None else f"{g:.2f}x" + ("" if g <= 1.5 else " NO"))
        lines.append(row)
    widths = [max(len(str(x)) for x in column) for column in zip(head, *lines, strict=False)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    for row in lines:
        out.append("  ".join((c.ljust(w) if i == 0 or i == 6 else c.rjust(w))
                             for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(out)
