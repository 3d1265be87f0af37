"""Benchmark: Monte Carlo over volume uncertainty, 10 000 scenarios under three price models.

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/bench_simulate.py                  # 10 000 scenarios, best of 3
    python benchmarks/bench_simulate.py --json mc.json   # also write the figures as JSON

What it does:

1. Builds a SYNTHETIC payroll year: 60 departments x 12 months x 2 services
   (``payroll.self_service``, ``payroll.manual``; 453 000 + 147 000 payslips
   [003:133-137]). It uses ``sfprice.synthetic.synthetic_city(seed=2014)`` restricted to
   the payroll services when that module exists. Otherwise it generates an equivalent year
   inline with ``random.Random(2014)``. The check is made at run time with importlib.
2. Builds three models from the bundled 2014 list: per unit (the list's prices), fixed
   fees derived to recover 48 300 000 kr, and a hybrid (a fixed base plus 53 kr per manual
   payslip) derived to recover the same cost.
3. Times ``monte_carlo`` with 10 000 scenarios (sigma 0.05) under the three models, best
   of 3, on one thread. The goal is under 5 s.

One thread: before numpy is imported, ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS``, ``VECLIB_MAXIMUM_THREADS`` and ``NUMEXPR_NUM_THREADS`` are set to 1.
On Linux the process is also pinned to one CPU (``os.sched_setaffinity``). The report
gives CPU time next to wall time. ``monte_carlo`` does not use BLAS (int64 arithmetic),
so these settings only rule out hidden parallelism.

Not a test: the figures depend on the machine. A missed goal does not change the exit code.
A failed check does (exit 1): results that differ between repeats, a fixed model that does
not recover the cost exactly in every scenario, or a wrong payslip total.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import importlib.util
import json
import math
import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import sfprice
from sfprice.engine.montecarlo import MonteCarloResult, monte_carlo
from sfprice.engine.simulate import (
    FixedFeeModel,
    HybridModel,
    PerUnitModel,
    TrueUp,
    derive_fixed_fees,
    derive_hybrid,
    noise,
)
from sfprice.model import VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.money import allocate, exact_sum

GOAL_SECONDS = 5.0
COST = Decimal(48_300_000)  # the 2014 payroll budget to recover [003:121-131]
MANUAL_SURCHARGE = Decimal(53)  # "57+53 kr": the manual surcharge of the 2014 list [003:154]
PAYSLIPS = {"payroll.self_service": 453_000, "payroll.manual": 147_000}  # [003:133-137]
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
Model = PerUnitModel | FixedFeeModel | HybridModel


@dataclass
class Results:
    """Everything measured, as written to ``--json``."""

    command: list[str]
    machine: dict[str, object]
    single_thread: dict[str, object]
    volumes: dict[str, object]
    models: list[str]
    scenarios: int
    sigma: float
    seed: int
    batch: int
    repeat: int
    numpy_import_s: float = 0.0
    draws_only_s: list[float] = field(default_factory=list)
    monte_carlo_s: list[float] = field(default_factory=list)
    monte_carlo_cpu_s: list[float] = field(default_factory=list)
    with_true_up_s: float = 0.0
    decimal_scenario_s: float = 0.0
    goal_s: float = GOAL_SECONDS
    distributions: list[dict[str, str]] = field(default_factory=list)
    check: dict[str, object] = field(default_factory=dict)


# --- Single thread -------------------------------------------------------------------------


def single_thread() -> dict[str, object]:
    """Limit numpy and its libraries to one thread, and pin the process to one CPU.

    Must run before numpy is imported: the thread pools read the variables at load time.
    """
    numpy_loaded_before = "numpy" in sys.modules
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    pinned: int | None = None
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        pinned = allowed[0]
        os.sched_setaffinity(0, {pinned})
    return {
        "variables": ", ".join(f"{name}={os.environ[name]}" for name in THREAD_VARIABLES),
        "numpy_loaded_before": numpy_loaded_before,
        "pinned_cpu": pinned,
    }


# --- The volumes ---------------------------------------------------------------------------


def payroll_year(departments: int, seed: int, inline: bool = False) -> tuple[VolumeSet, str]:
    """A SYNTHETIC payroll year: from sfprice.synthetic if present, else generated here."""
    if not inline and importlib.util.find_spec("sfprice.synthetic") is not None:
        synthetic = importlib.import_module("sfprice.synthetic")
        city = synthetic.synthetic_city(seed=seed, year=2014, departments=departments)
        entries = tuple(
            e for e in city.volumes.entries if fnmatch.fnmatchcase(e.key.service, "payroll.*")
        )
        return VolumeSet(entries), f"sfprice.synthetic.synthetic_city(seed={seed}), payroll.*"
    return _inline_year(departments, seed), f"generated inline, random.Random({seed})"


def _inline_year(departments: int, seed: int) -> VolumeSet:
    """60 departments x 12 months of payslips with the plan's totals, split exactly.

    SYNTHETIC: log-normal department sizes, a larger manual share in small departments,
    more payslips in summer. Only the two year totals come from the seed [003:133-137].
    """
    rng = random.Random(seed)
    names = [f"Förvaltning {i + 1} (syntetisk)" for i in range(departments)]
    sizes = {n: rng.lognormvariate(math.log(300), 1.0) for n in names}
    median = sorted(sizes.values())[len(sizes) // 2]
    manual = {
        n: min(0.9, 0.245 * (median / s) ** 0.3 * rng.uniform(0.8, 1.2)) for n, s in sizes.items()
    }
    month_weights = (100, 98, 100, 99, 101, 108, 112, 106, 100, 99, 98, 85)
    source = (VolumeSource(f"<bench_simulate seed={seed}>", 1),)
    entries: list[VolumeEntry] = []
    for service, total in PAYSLIPS.items():
        share = {
            n: sizes[n] * (manual[n] if service == "payroll.manual" else 1 - manual[n])
            for n in names
        }
        weights = {n: Decimal(round(w * 1000)) for n, w in share.items()}
        by_month = allocate(
            Decimal(total), {m: Decimal(w) for m, w in enumerate(month_weights, 1)}, Decimal(1)
        )
        for month, month_total in by_month.items():
            for name, quantity in allocate(month_total, weights, Decimal(1)).items():
                if quantity:
                    key = VolumeKey(sfprice.Month(2014, month), name, service)
                    entries.append(VolumeEntry(key, quantity, source))
    return VolumeSet.from_entries(entries)


# --- The models ----------------------------------------------------------------------------


def build_models(volumes: VolumeSet) -> tuple[PerUnitModel, FixedFeeModel, HybridModel]:
    """Per unit (2014 list), fixed fees and a 53 kr-manual hybrid, both recovering COST."""
    price_list = sfprice.load_catalog().get("2014")
    if price_list is None:
        msg = "the bundled 2014 price list is missing"
        raise RuntimeError(msg)
    per_unit = PerUnitModel.from_price_list(price_list, name="per unit 2014")
    fixed = FixedFeeModel("fixed fee", derive_fixed_fees(volumes, per_unit, COST))
    hybrid = derive_hybrid(
        volumes, per_unit, COST, {"payroll.manual": MANUAL_SURCHARGE}, name="hybrid 53 kr manual"
    )
    return per_unit, fixed, hybrid


# --- The measurements ----------------------------------------------------------------------


def time_numpy_import() -> float:
    """Seconds to import numpy (the first monte_carlo call pays it)."""
    start = time.perf_counter()
    importlib.import_module("numpy")
    return time.perf_counter() - start


def time_draws(entries: int, scenarios: int, sigma: float, seed: int, batch: int) -> float:
    """Seconds for the lognormal draws and the rounding of quantities alone (the floor)."""
    np: Any = importlib.import_module("numpy")
    base = np.full(entries, 100.0)
    start = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64(seed))
    for first in range(0, scenarios, batch):
        size = min(batch, scenarios - first)
        np.floor(rng.lognormal(0.0, sigma, size=(size, entries)) * base + 0.5).astype(np.int64)
    return time.perf_counter() - start


def time_monte_carlo(
    volumes: VolumeSet, models: Sequence[Model], scenarios: int, sigma: float, seed: int, batch: int
) -> tuple[MonteCarloResult, float, float]:
    """The result, wall seconds and CPU seconds of one monte_carlo call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = monte_carlo(
        volumes,
        models,
        cost_to_recover=COST,
        scenarios=scenarios,
        sigma=sigma,
        seed=seed,
        batch=batch,
    )
    return result, time.perf_counter() - wall, time.process_time() - cpu


def time_decimal_scenario(volumes: VolumeSet, models: Sequence[Model], count: int = 3) -> float:
    """Seconds per scenario the pure-Decimal way: ``noise`` + each model's ``charges``."""
    start = time.perf_counter()
    for seed in range(count):
        scenario = noise(volumes, 0.05, seed)
        for model in models:
            exact_sum(model.charges(scenario).values())
    return (time.perf_counter() - start) / count


def machine() -> dict[str, object]:
    """The machine and interpreter the figures come from."""
    np: Any = importlib.import_module("numpy")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": str(np.__version__),
        "cpu_count": os.cpu_count(),
        "sfprice": sfprice.__version__,
    }


# --- Reporting -----------------------------------------------------------------------------


def _kr(amount: Decimal) -> str:
    return f"{amount:>16,.2f}".replace(",", " ")


def distribution_rows(result: MonteCarloResult) -> list[dict[str, str]]:
    """The distributions as text (JSON keeps the Decimals exact as strings)."""
    return [{k: str(v) for k, v in record.items()} for record in result.to_records()]


def report(results: Results, result: MonteCarloResult) -> str:
    """The figures as a short text table."""
    best = min(results.monte_carlo_s)
    cpu = results.monte_carlo_cpu_s[results.monte_carlo_s.index(best)]
    threads = results.single_thread
    n = results.scenarios
    lines = [
        f"sfprice Monte Carlo benchmark: {n:,} scenarios x {results.volumes['departments']} "
        f"departments x {results.volumes['months']} months x {results.volumes['services']} "
        "services, 3 models",
        f"  volumes    {results.volumes['source']}: {results.volumes['entries']:,} entries, "
        f"{results.volumes['payslips']:,} payslips",
        f"  models     {', '.join(results.models)}; cost to recover {COST:,} kr",
        f"  draws      lognormal, sigma {results.sigma}, seed {results.seed}, batch "
        f"{results.batch} ({n * int(str(results.volumes['entries'])):,} factors)",
        f"  threads    {threads['variables']}; pinned to CPU {threads['pinned_cpu']}"
        + (
            " (numpy was already loaded: NOT single-threaded)"
            if threads["numpy_loaded_before"]
            else ""
        ),
        f"  machine    {results.machine['platform']}, {results.machine['python']}, numpy "
        f"{results.machine['numpy']}, {results.machine['cpu_count']} CPU(s)",
        "",
        f"  {'measure':<46}{'best':>9}   all runs (s)",
        f"  {'monte_carlo, 3 models':<46}{best:>8.3f}s   "
        + " ".join(f"{t:.3f}" for t in results.monte_carlo_s)
        + f"   goal < {GOAL_SECONDS:g} s: {'met' if best < GOAL_SECONDS else 'MISSED'}",
        f"  {'  CPU time of that run (process_time)':<46}{cpu:>8.3f}s",
        f"  {'  of which draws + rounding alone (floor)':<46}{min(results.draws_only_s):>8.3f}s   "
        + " ".join(f"{t:.3f}" for t in results.draws_only_s),
        f"  {'  per scenario':<46}{best / n * 1e6:>7.1f} µs",
        f"  {'monte_carlo, 3 models + fixed with true-up':<46}{results.with_true_up_s:>8.3f}s   "
        "(one run)",
        f"  {'numpy import (first call only, not timed)':<46}{results.numpy_import_s:>8.3f}s",
        f"  {'pure Decimal: noise + charges, per scenario':<46}"
        f"{results.decimal_scenario_s * 1e3:>7.1f} ms  "
        f"(x {n:,} = {results.decimal_scenario_s * n:,.0f} s, extrapolated)",
        "",
        f"  {'over (+) / under (-) recovery, kr':<24}{'mean':>17}{'p5':>17}{'p50':>17}"
        f"{'p95':>17}{'P(under)':>10}",
    ]
    lines.extend(
        f"  {d.model:<24}{_kr(d.mean)} {_kr(d.percentile(5))} {_kr(d.percentile(50))} "
        f"{_kr(d.percentile(95))}{d.under_recovery_probability:>10}"
        for d in result.models
    )
    lines += ["", f"  check      {results.check['summary']}"]
    return "\n".join(lines)


# --- Main ----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time sfprice's Monte Carlo over volume uncertainty (three price models)."
    )
    parser.add_argument("--scenarios", type=int, default=10_000, help="default 10 000")
    parser.add_argument("--departments", type=int, default=60, help="default 60")
    parser.add_argument("--sigma", type=float, default=0.05, help="volume spread (0.05)")
    parser.add_argument("--seed", type=int, default=2014, help="seed of volumes and draws")
    parser.add_argument("--batch", type=int, default=500, help="scenarios per batch (500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; best is kept")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--inline-volumes",
        action="store_true",
        help="generate the payroll year here even when sfprice.synthetic exists",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit code (0 also when the goal is missed)."""
    threads = single_thread()  # first: before anything imports numpy
    args = _parser().parse_args(argv)
    if args.scenarios < 1 or args.repeat < 1 or args.departments < 1 or args.batch < 1:
        print(
            "error: --scenarios, --departments, --batch and --repeat must be >= 1", file=sys.stderr
        )
        return 2
    volumes, source = payroll_year(args.departments, args.seed, args.inline_volumes)
    models = build_models(volumes)
    payslips = exact_sum((e.quantity for e in volumes), Decimal(0))
    results = Results(
        command=[sys.executable, *sys.argv],
        machine={},
        single_thread=threads,
        volumes={
            "source": source,
            "entries": len(volumes),
            "departments": len(volumes.departments),
            "months": len(volumes.months),
            "services": len({e.key.service for e in volumes}),
            "payslips": int(payslips),
        },
        models=[m.name for m in models],
        scenarios=args.scenarios,
        sigma=args.sigma,
        seed=args.seed,
        batch=args.batch,
        repeat=args.repeat,
    )
    results.numpy_import_s = time_numpy_import()
    results.machine = machine()
    # Warm-up (not timed): the first call also builds numpy's random and ufunc caches.
    monte_carlo(volumes, models, cost_to_recover=COST, scenarios=10, sigma=args.sigma)

    runs: list[MonteCarloResult] = []
    for i in range(args.repeat):
        print(f"timing: run {i + 1} of {args.repeat} ...", file=sys.stderr)
        results.draws_only_s.append(
            time_draws(len(volumes), args.scenarios, args.sigma, args.seed, args.batch)
        )
        result, wall, cpu = time_monte_carlo(
            volumes, models, args.scenarios, args.sigma, args.seed, args.batch
        )
        runs.append(result)
        results.monte_carlo_s.append(wall)
        results.monte_carlo_cpu_s.append(cpu)

    per_unit, fixed, _ = models
    with_true_up = (
        *models,
        FixedFeeModel("fixed + true-up 5 %", fixed.annual_fees, TrueUp(per_unit)),
    )
    _, results.with_true_up_s, _ = time_monte_carlo(
        volumes, with_true_up, args.scenarios, args.sigma, args.seed, args.batch
    )
    results.decimal_scenario_s = time_decimal_scenario(volumes, models)

    result = runs[0]
    fixed_result = result.model(fixed.name)
    checks = {
        "repeats identical": all(r == result for r in runs),
        "fixed recovers exactly 0 in every scenario": (
            fixed_result.minimum == fixed_result.maximum == Decimal("0.00")
        ),
        "payslips 600 000": payslips == sum(PAYSLIPS.values()),
    }
    ok = all(checks.values())
    results.distributions = distribution_rows(result)
    results.check = {
        "ok": ok,
        **checks,
        "summary": ("ok: " if ok else "FAILED: ")
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in checks.items()),
    }
    print(report(results, result))
    print(f"\n  command    {' '.join(results.command)}")
    if args.json is not None:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(results), indent=2) + "\n")
        print(f"  json       {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
