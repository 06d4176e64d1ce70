"""Two servers measured at once (benchmarks/side_by_side.py): the order in which their loads
start, the rounds thrown away, the CPU time counted for each side and the ratio reported."""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import comb

import pytest

from benchmarks import side_by_side, wrk
from benchmarks.errors import BenchError
from benchmarks.side_by_side import (
    measure_rounds,
    measured_round,
    median_interval,
    round_orders,
    summary,
)


def test_a_pair_flips_its_first_side_each_time_it_is_loaded():
    assert round_orders([("a", "b")], 4) == [["a", "b"], ["b", "a"]] * 2


def test_pairs_take_turns_and_each_flips_when_it_comes_back():
    orders = round_orders([("with", "without"), ("control", "without")], 6)
    assert orders == [
        ["with", "without"],
        ["control", "without"],
        ["without", "with"],
        ["without", "control"],
        ["with", "without"],
        ["control", "without"],
    ]


def test_a_round_in_which_a_worker_was_replaced_is_measured_again_and_not_counted():
    results = [None, {"a": (1.0, 10.0)}, None, None, {"a": (2.0, 20.0)}]
    orders = []

    def measure(order):
        orders.append(order)
        return results.pop(0)

    rounds, repeated = measure_rounds(measure, [["a", "b"], ["b", "a"]])
    assert rounds == [{"a": (1.0, 10.0)}, {"a": (2.0, 20.0)}]
    assert repeated == 3
    # A try measured again keeps its round's order.
    assert orders == [["a", "b"], ["a", "b"], ["b", "a"], ["b", "a"], ["b", "a"]]


def test_a_round_gives_up_after_its_tries():
    results = [None, None, {"a": (1.0, 10.0)}]
    rounds, repeated = measure_rounds(lambda order: results.pop(0), [["a"], ["a"]], attempts=2)
    assert rounds == [{"a": (1.0, 10.0)}] and repeated == 2


def test_a_pair_without_any_round_measured_is_an_error_not_a_number():
    rounds = [{"with": (90.0, 1100.0), "without": (100.0, 1000.0)}]
    with pytest.raises(BenchError, match="no round of control against without"):
        summary(rounds, "control", "without")


class FakeServer:
    def __init__(self, pid: int):
        self.pid = pid
        self.url = f"http://127.0.0.1:{pid}"

    def master_pid(self) -> int:
        return self.pid


class Result:
    def __init__(self, requests: int):
        self.requests, self.rps = requests, requests / 10


class Options:
    warmup, duration, connections = 0, 10, 16


def fake_round(monkeypatch, children: dict, cpu: list[dict], requests: dict):
    """Servers 1 ("a") and 2 ("b"): their workers before and after (`children`: master pid ->
    list of worker lists), the CPU seconds read before and after, wrk's request counts."""
    started = []

    def load(servers, order, path, seconds, options, request):
        started.extend(order)
        return {side: Result(requests[side]) for side in order}

    monkeypatch.setattr(side_by_side, "load_together", load)
    monkeypatch.setattr(side_by_side.processes, "children", lambda pid: children[pid].pop(0))
    monkeypatch.setattr(side_by_side, "cpu_seconds", lambda pids: cpu.pop(0))
    return {"a": FakeServer(1), "b": FakeServer(2)}, started


def test_each_side_is_charged_the_cpu_of_its_own_workers(monkeypatch):
    servers, started = fake_round(
        monkeypatch,
        children={1: [[11, 12], [11, 12]], 2: [[21], [21]]},
        # in the order of the round: before b, before a, after b, after a
        cpu=[{21: 5.0}, {11: 1.0, 12: 2.0}, {21: 8.0}, {11: 1.5, 12: 2.5}],
        requests={"a": 1000, "b": 2000},
    )
    measured = measured_round(servers, Options(), ["b", "a"])
    assert measured == {"a": (100.0, 1000.0), "b": (200.0, 1500.0)}  # 1 s / 1000, 3 s / 2000
    assert started == ["b", "a"]


@pytest.mark.parametrize(
    "workers_after",
    [
        [11, 13],  # 12 exited and 13 took its place: 12's CPU left /proc with it
        [11, 12],  # 12 is still listed but its /proc entry is gone (it died, unreplaced)
    ],
)
def test_a_round_in_which_a_worker_went_away_gives_no_number(monkeypatch, workers_after):
    servers, _ = fake_round(
        monkeypatch,
        children={1: [[11, 12], workers_after], 2: [[21], [21]]},
        cpu=[{11: 1.0, 12: 2.0}, {21: 5.0}, {11: 1.5}, {21: 8.0}],
        requests={"a": 1000, "b": 1000},
    )
    assert measured_round(servers, Options(), ["a", "b"]) is None


def test_a_round_loads_only_the_servers_of_its_pair(monkeypatch):
    servers, started = fake_round(
        monkeypatch,
        children={1: [[11], [11]], 2: [[21], [21]]},
        cpu=[{11: 1.0}, {11: 2.0}],
        requests={"a": 1000, "b": 1000},
    )
    servers["c"] = FakeServer(3)  # never asked for its workers: children has no entry for 3
    assert measured_round(servers, Options(), ["a"]) == {"a": (100.0, 1000.0)}
    assert started == ["a"]


def test_the_cost_is_the_median_of_the_rounds_ratios_not_the_ratio_of_the_medians():
    rounds = [
        {"with": (90.0, 1100.0), "without": (100.0, 1000.0)},  # 1.10
        {"with": (50.0, 2040.0), "without": (52.0, 2000.0)},  # 1.02: the machine was slower
        {"with": (95.0, 1030.0), "without": (99.0, 1000.0)},  # 1.03
    ]
    compared = summary(rounds, "with", "without")
    assert compared["round_ratios"] == [1.1, 1.02, 1.03]
    assert compared["cpu_ratio"] == 1.03 and compared["cost_percent"] == 3.0
    # Medians side by side would say 1100 / 1000: +10 %.
    assert compared["cpu_us"] == {"with": 1100.0, "without": 1000.0}
    assert compared["rps"] == {"with": 90.0, "without": 99.0}
    assert compared["rounds"][1] == {"with": [50.0, 2040.0], "without": [52.0, 2000.0]}


def test_the_median_interval_is_the_widest_pair_of_order_statistics_the_binomial_allows():
    # 24 rounds: 2 P(B(24, 1/2) <= 6) = 0.023 <= 0.05, and <= 7 would be 0.064.
    assert median_interval([float(v) for v in range(24, 0, -1)]) == (7.0, 18.0)
    assert median_interval([float(v) for v in range(1, 11)]) == (2.0, 9.0)  # 10 rounds
    assert median_interval([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == (1.0, 6.0)  # miss chance 1/32
    assert median_interval([1.0, 2.0, 3.0, 4.0, 5.0]) is None  # 1/16 > 0.05: no interval


def test_the_median_interval_misses_the_true_median_under_five_percent_of_the_time():
    """Rounds drawn from a skewed distribution whose median is known (an exponential: ln 2):
    the interval's failure rate must stay under its 5 % and near the binomial's exact one."""
    chance = random.Random(20261202)
    misses, runs, n = 0, 4000, 24
    for _ in range(runs):
        low, high = median_interval([chance.expovariate(1.0) for _ in range(n)])
        misses += not (low <= 0.6931 <= high)
    exact = 2 * sum(comb(n, i) for i in range(7)) / 2**n  # 0.023
    assert misses / runs < 0.05 and abs(misses / runs - exact) < 0.012


def test_the_summary_gives_the_costs_interval_in_percent():
    rounds = [{"with": (90.0, 1000.0 + 10 * i), "without": (100.0, 1000.0)} for i in range(10)]
    assert summary(rounds, "with", "without")["cost_interval_percent"] == [1.0, 8.0]
    assert summary(rounds[:5], "with", "without")["cost_interval_percent"] is None


def test_a_pair_is_summed_up_from_its_own_rounds_only():
    rounds = [
        {"with": (90.0, 1100.0), "without": (100.0, 1000.0)},
        {"control": (100.0, 990.0), "without": (100.0, 1000.0)},
        {"with": (90.0, 1060.0), "without": (100.0, 1000.0)},
    ]
    assert summary(rounds, "with", "without")["round_ratios"] == [1.1, 1.06]
    assert summary(rounds, "control", "without")["round_ratios"] == [0.99]


def test_loads_run_at_the_same_time_in_the_order_given(monkeypatch):
    events = []

    class Running:
        def __init__(self, url, seconds, connections, request=None):
            events.append(("start", url))
            self.url = url

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            events.append(("end", self.url))
            self.result = Result(10)

    monkeypatch.setattr(wrk, "Running", Running)
    servers = {"a": FakeServer(1), "b": FakeServer(2)}
    results = side_by_side.load_together(servers, ["b", "a"], "/x", 5, Options(), None)
    assert events == [
        ("start", "http://127.0.0.1:2/x"),
        ("start", "http://127.0.0.1:1/x"),
        ("end", "http://127.0.0.1:2/x"),
        ("end", "http://127.0.0.1:1/x"),
    ]
    assert set(results) == {"b", "a"}


class Restartable:
    def __init__(self, name: str, events: list):
        self.name, self.events = name, events

    def stop(self) -> None:
        self.events.append(("stop", self.name))


def fresh_run(monkeypatch, measure):
    events = []
    servers = {name: Restartable(name, events) for name in ("with", "without", "control")}
    monkeypatch.setattr(
        side_by_side, "load_together", lambda *args: events.append(("warm-up", args[3]))
    )

    def round_(servers, options, order, path, request):
        events.append(order)
        return measure(order)

    monkeypatch.setattr(side_by_side, "measured_round", round_)
    run = lambda instances: side_by_side.compare_fresh(  # noqa: E731
        servers,
        lambda server: events.append(("start", server.name)),
        WarmOptions(),
        instances,
        [("with", "without"), ("control", "without")],
    )
    return run, events


@dataclass(frozen=True)
class WarmOptions:
    warmup: int = 1
    duration: int = 10
    connections: int = 16


def test_fresh_masters_measure_each_pair_both_ways_and_are_stopped_each_time(monkeypatch):
    run, events = fresh_run(monkeypatch, lambda order: {side: (1.0, 1.0) for side in order})
    rounds, repeated = run(2)
    starts = [("start", "with"), ("start", "without"), ("start", "control")]
    stops = [("stop", "with"), ("stop", "without"), ("stop", "control")]
    orders = [
        ["with", "without"],
        ["control", "without"],
        ["without", "with"],
        ["without", "control"],
    ]
    warm_up = ("warm-up", side_by_side.FRESH_WARMUP)  # longer than the run's own warm-up
    # The second instance begins one order later: no order is always first after a warm-up.
    assert events == [
        *[*starts, warm_up, *orders, *stops],
        *[*starts, warm_up, *orders[1:], orders[0], *stops],
    ]
    assert len(rounds) == 8 and repeated == 0


def test_fresh_masters_are_stopped_when_a_round_fails(monkeypatch):
    def fail(order):
        raise BenchError("wrk failed")

    run, events = fresh_run(monkeypatch, fail)
    with pytest.raises(BenchError):
        run(2)
    assert events[-3:] == [("stop", "with"), ("stop", "without"), ("stop", "control")]
    assert events.count(("start", "with")) == 1
