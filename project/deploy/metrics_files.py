"""The workers' metric files under var/run/metrics/, from the operator's side.

`start` wipes them (nothing runs yet, so no process holds one open); `status` reads the
request counters straight from them, with prometheus_client's own reader, so it needs neither
HTTP nor the metrics token.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from prometheus_client.multiprocess import MultiProcessCollector

from .settings import DeploySettings

WINDOW = 60.0  # seconds `status` reports over when it has a sample that old
MIN_WINDOW = 5.0  # a younger sample gives too noisy a rate: measure one second instead
KEEP = 600.0  # samples older than this are dropped


def wipe(settings: DeploySettings) -> None:
    folder = settings.layout.metrics_dir
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    samples_path(settings).unlink(missing_ok=True)


def request_totals(folder: Path) -> tuple[float, float]:
    """(every request, the 5xx ones) counted by all workers, dead ones included."""
    total = errors = 0.0
    for metric in MultiProcessCollector(None, path=str(folder)).collect():
        if metric.name != "http_requests":
            continue
        for sample in metric.samples:
            if sample.name == "http_requests_total":
                total += sample.value
                errors += sample.value if sample.labels.get("status", "").startswith("5") else 0
    return total, errors


def samples_path(settings: DeploySettings) -> Path:
    return settings.layout.traffic_samples


def traffic(settings: DeploySettings, clock=time.time, sleep=time.sleep) -> str:
    """`2.5 req/s, 0 5xx over the last 60 s`, from the saved sample nearest a minute old;
    without one, from two readings a second apart. The window printed is the one measured."""
    folder = settings.layout.metrics_dir
    if not folder.is_dir():
        return "no metrics folder (started before metrics existed? `scripts/ctl restart`)"
    now = (clock(), *request_totals(folder))
    samples = [s for s in load_samples(settings) if s[1] <= now[1] and now[0] - s[0] <= KEEP]
    base = baseline(samples, now[0])
    if base is None:
        base = now
        sleep(1.0)
        now = (clock(), *request_totals(folder))
    save_samples(settings, [*samples, list(now)])
    seconds = now[0] - base[0]
    rate = (now[1] - base[1]) / seconds if seconds > 0 else 0.0
    return f"{rate:.1f} req/s, {now[2] - base[2]:.0f} 5xx over the last {seconds:.0f} s"


def baseline(samples: list, now: float):
    """The newest sample at least WINDOW old, else the oldest at least MIN_WINDOW old."""
    old = [s for s in samples if now - s[0] >= WINDOW]
    if old:
        return max(old, key=lambda s: s[0])
    usable = [s for s in samples if now - s[0] >= MIN_WINDOW]
    return min(usable, key=lambda s: s[0]) if usable else None


def load_samples(settings: DeploySettings) -> list:
    try:
        data = json.loads(samples_path(settings).read_text())
    except (OSError, ValueError):
        return []
    return [s for s in data if isinstance(s, list) and len(s) == 3]


def save_samples(settings: DeploySettings, samples: list) -> None:
    path = samples_path(settings)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(samples, handle)
    tmp.replace(path)
