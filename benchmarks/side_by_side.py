"""Two servers loaded at the same time: what one costs per request against the other.

Used where a ratio of a few percent must be told apart from noise (metrics_cost.py,
translations_cost.py). Each round loads a pair of servers at once, one wrk each, sharing the
run's connections, so whatever else the machine does meanwhile (a neighbour's test suite, the
host's other guests, the CPU's clock) falls on both sides alike. The measure is the workers'
CPU time per request of each side, and the result the median over the rounds of each round's
ratio. Several pairs may take turns, such as the baseline against a second copy of itself (a
control), whose "cost" is then the noise left in that run.

On this project's 2-vCPU machine, with the same app on both sides (A/A), runs measured one
after the other (alternating) gave "costs" of +0.4 % and +3.7 %, single rounds from 1030 to
1510 us per request; loaded at once, the ratio of each round stayed within about 7 % of 1 and
the medians of 12 rounds were 1.003 and 0.995. Which wrk starts first flips each time a pair
is loaded: when one side always went first it measured about 4 % dearer (A/A medians 1.045
and 1.038). Never more than two servers at once: three measured about 2000 us of CPU per
request where two measured 1300-1500 in the same hour, and a cost measured in that contention
is not the cost on a server alone.

A gunicorn master's workers all inherit its memory layout and its string hash seed, so every
round on one pair of masters shares whatever those make dearer or cheaper; more rounds do not
average that out. `compare_fresh` starts new masters several times in a run, as pyperf starts
new processes. (It is done on that reasoning: on this machine it has not been shown to narrow
the spread; 13 controls of the metrics step measured from -2.4 to +1.3 %.)

Both sides run without `max_requests` recycling (NO_RECYCLING): a worker that exits takes its
CPU time out of /proc while its requests stay in wrk's count, and its replacement's CPU is
mostly importing the app. A round in which a worker was replaced anyway is measured again.
"""

from __future__ import annotations

import os
from dataclasses import replace
from math import comb
from statistics import median

from project.deploy import processes

from . import wrk
from .errors import BenchError

# gunicorn settings both sides run with, on top of the bundle's config.
NO_RECYCLING = {"max_requests": 0}
# Seconds of load that new masters get before their first round: every worker imports
# lazily and compiles its templates on first use.
FRESH_WARMUP = 3
# Tries per round: a round in which a worker was replaced is measured again.
ATTEMPTS = 4
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each live pid (/proc/PID/stat fields 14 and 15)."""
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def load_together(servers: dict, order: list, path: str, seconds: int, options, request):
    """One wrk per server, all running at once, started in `order`: {side: WrkResult}. The
    run's connections are shared among them: the machine carries the load of one run."""
    connections = max(1, options.connections // len(servers))
    running = {
        side: wrk.Running(servers[side].url + path, seconds, connections, request) for side in order
    }
    for load in running.values():
        with load:
            pass
    return {side: load.result for side, load in running.items()}


def measured_round(servers: dict, options, order: list, path: str = "/", request=None):
    """{side: (requests/s, worker CPU us per request)} of one round of the servers in `order`;
    None when a server's set of workers changed during it (its CPU time is then not the
    requests')."""
    loaded = {side: servers[side] for side in order}
    workers = {side: processes.children(server.master_pid()) for side, server in loaded.items()}
    before = {side: cpu_seconds(pids) for side, pids in workers.items()}
    results = load_together(loaded, order, path, options.duration, options, request)
    after = {side: cpu_seconds(pids) for side, pids in workers.items()}
    measured = {}
    for side, server in loaded.items():
        if processes.children(server.master_pid()) != workers[side]:
            return None
        if after[side].keys() != before[side].keys():
            return None
        used = sum(after[side][pid] - before[side][pid] for pid in after[side])
        requests = results[side].requests
        measured[side] = (results[side].rps, used / requests * 1e6 if requests else 0.0)
    return measured


def round_orders(pairs: list[tuple], rounds: int) -> list[list]:
    """Which servers each round loads, in the order their loads start: the pairs take turns,
    and each time a pair comes back its first side is the other one."""
    orders = []
    for number in range(rounds):
        pair = list(pairs[number % len(pairs)])
        flipped = (number // len(pairs)) % 2 == 1
        orders.append(pair[::-1] if flipped else pair)
    return orders


def measure_rounds(measure, orders: list[list], attempts: int = ATTEMPTS):
    """Call `measure(order)` for each round's order; a None (a worker was replaced) is
    measured again, up to `attempts` tries. Returns the rounds measured and how many tries
    were thrown away."""
    measured, repeated = [], 0
    for order in orders:
        for _ in range(attempts):
            result = measure(order)
            if result is not None:
                measured.append(result)
                break
            repeated += 1
    return measured, repeated


def compare(
    servers: dict,
    options,
    rounds: int,
    pairs: list[tuple],
    path: str = "/",
    request: wrk.Request | None = None,
) -> tuple[list, int]:
    """Warm every server up, then `rounds` measured rounds, each loading one of `pairs`
    (names of `servers`) at once; see round_orders and measure_rounds."""
    return measure_orders(servers, options, round_orders(pairs, rounds), path, request)


def measure_orders(servers: dict, options, orders: list[list], path: str, request) -> tuple:
    """Warm every server up, then one measured round per order (measure_rounds)."""
    if options.warmup:
        load_together(servers, list(servers), path, options.warmup, options, request)
    return measure_rounds(
        lambda order: measured_round(servers, options, order, path, request), orders
    )


def compare_fresh(
    servers: dict,
    start,
    options,
    instances: int,
    pairs: list[tuple],
    path: str = "/",
    request: wrk.Request | None = None,
) -> tuple[list, int]:
    """`instances` times: start every server (`start(server)`), warm them up, measure each
    pair in both orders, stop them. The rounds of all the instances go into one median. Each
    instance begins one order later than the one before: a round just after the warm-up may
    still be warming, and that round is each order's in turn."""
    orders = round_orders(pairs, 2 * len(pairs))
    warm = replace(options, warmup=max(options.warmup, FRESH_WARMUP)) if options.warmup else options
    measured, repeated = [], 0
    for number in range(instances):
        shift = number % len(orders)
        try:
            for server in servers.values():
                start(server)
            turn = orders[shift:] + orders[:shift]
            rounds, again = measure_orders(servers, warm, turn, path, request)
        finally:
            for server in servers.values():
                server.stop()
        measured += rounds
        repeated += again
    return measured, repeated


def median_interval(values: list[float], confidence: float = 0.95) -> tuple | None:
    """A confidence interval of the median from order statistics (no assumption about the
    rounds' spread): the k-th smallest and k-th largest value, k as large as keeps the chance
    that the true median lies outside under 1 - confidence (a binomial tail, each round being
    above or below it with even odds). None when there are too few rounds for any interval."""
    ordered, n = sorted(values), len(values)
    k = 0
    while k < n // 2 and 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n <= 1 - confidence:
        k += 1
    return (ordered[k - 1], ordered[n - k]) if k else None


def percent(ratio: float) -> float:
    return round((ratio - 1) * 100, 1)


def summary(rounds: list[dict], side: str, baseline: str) -> dict:
    """`side` against `baseline`: medians of each side's CPU per request and requests/s, and
    the cost as the median of the rounds' CPU ratios (each round's two numbers were measured
    at the same moment, so the ratio is what cancels the machine's drift)."""
    paired = [r for r in rounds if side in r and baseline in r]
    if not paired:  # every try of its rounds saw a worker replaced
        raise BenchError(f"no round of {side} against {baseline} was measured")
    ratios = [r[side][1] / r[baseline][1] for r in paired if r[baseline][1]]
    ratio = median(ratios) if ratios else None
    cpu = {name: median(r[name][1] for r in paired) for name in (side, baseline)}
    rps = {name: median(r[name][0] for r in paired) for name in (side, baseline)}
    return {
        "cpu_us": {name: round(value, 1) for name, value in cpu.items()},
        "rps": {name: round(value, 1) for name, value in rps.items()},
        "cpu_ratio": round(ratio, 3) if ratio else None,
        "cost_percent": percent(ratio) if ratio else None,
        # 95 % interval of that median, in percent: [low, high], or None with under 6 rounds.
        "cost_interval_percent": interval_percent(ratios),
        "round_ratios": [round(value, 3) for value in ratios],
        # The pair's rounds: [requests/s, CPU us per request] of each side.
        "rounds": [
            {name: [round(rps, 1), round(cpu, 1)] for name, (rps, cpu) in r.items()} for r in paired
        ],
    }


def interval_percent(ratios: list[float]) -> list[float] | None:
    interval = median_interval(ratios)
    return [percent(bound) for bound in interval] if interval else None


def interval_text(interval: list | None) -> str:
    """A summary's `cost_interval_percent` for a report line."""
    return f"{interval[0]} to {interval[1]}%" if interval else "none: too few rounds"
