"""A SYNTHETIC city: seeded departments and a year of volumes that add up to the plans' figures.

Everything here is made up except the year totals it reproduces (domain notes B.5):

- 600 000 payslips a year, of which 453 000 (75,5 %) are machine-processed via feeder
  systems, i.e. self-service (``003_dbc171dac11004c9.txt:133-137``);
- 1 060 000 supplier invoices and 1 545 000 customer invoices a year
  (``001_107bc9a4fc2b7a7d.txt:90``).

The department names are real Stockholm administrations and city-owned companies (plus
generated ones such as ``Förvaltning 41``), each marked ``(syntetisk)``: their sizes, join
years and volumes are invented. The split of the supplier invoices (80 % electronic, 20 %
manual) and of the customer invoices (85 % via feeder systems, 10 % manual, 5 % manual with
attachment) is synthetic too, as are the monthly pattern and the per-department manual
shares. The seed figures come from different years (payslips 2013, invoices 2017), so the
city is a load profile, not a real year.

Every year total is split exactly with :func:`sfprice.money.allocate` (largest remainder):
first over the months, then over the departments, so the totals hold to the unit whatever
the seed. The same arguments always give the same city: the only randomness is a
``random.Random(seed)`` (never the global generator). The draws are floating point, so a
city is reproducible on a given Python build; the totals are exact everywhere.

Price lists: the economy codes (``ap.*``, ``ar.*``) exist only in the bundled 2010 list,
so bill the full city with ``year=2010``. The bundled 2014 list has payroll only: bill a
2014 city with ``services=("payroll.*",)`` or :meth:`SyntheticCity.payroll_only`.

>>> city = synthetic_city()
>>> len(city.departments), city.service_totals["payroll.self_service"]
(60, Decimal('453000'))
>>> city.departments[0].name
'Utbildningsförvaltningen (syntetisk)'
"""

from __future__ import annotations

import fnmatch
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from sfprice.model import VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.money import allocate, exact_sum, round_amount
from sfprice.period import Month

__all__ = [
    "ECONOMY_SERVICES",
    "PAYROLL_SERVICES",
    "SYNTHETIC_LABEL",
    "DepartmentKind",
    "SyntheticCity",
    "SyntheticDepartment",
    "synthetic_city",
]

#: The mark every synthetic department name ends with.
SYNTHETIC_LABEL = " (syntetisk)"

DepartmentKind = Literal["stadsdelsförvaltning", "fackförvaltning", "bolag"]

#: Payroll services of the city (in the 2010 and the 2014 lists).
PAYROLL_SERVICES = ("payroll.self_service", "payroll.manual")
#: Economy services of the city (in the 2010 list only).
ECONOMY_SERVICES = ("ap.electronic", "ap.manual", "ar.feeder", "ar.manual", "ar.manual_attachment")

_ONE = Decimal(1)
_PPM = 1_000_000  # shares are turned into whole parts per million before they weigh anything

# The named departments, biggest first within each group, with a typical headcount. The
# names are real; the sizes are only plausible orders of magnitude (SYNTHETIC).
_NAMED: tuple[tuple[str, DepartmentKind, int], ...] = (
    ("Utbildningsförvaltningen", "fackförvaltning", 11_000),
    ("Socialförvaltningen", "fackförvaltning", 1_900),
    ("Enskede-Årsta-Vantörs stadsdelsförvaltning", "stadsdelsförvaltning", 2_600),
    ("Södermalms stadsdelsförvaltning", "stadsdelsförvaltning", 2_300),
    ("Hässelby-Vällingby stadsdelsförvaltning", "stadsdelsförvaltning", 2_000),
    ("Hägersten-Liljeholmens stadsdelsförvaltning", "stadsdelsförvaltning", 2_000),
    ("Bromma stadsdelsförvaltning", "stadsdelsförvaltning", 1_900),
    ("Rinkeby-Kista stadsdelsförvaltning", "stadsdelsförvaltning", 1_800),
    ("Farsta stadsdelsförvaltning", "stadsdelsförvaltning", 1_500),
    ("Kungsholmens stadsdelsförvaltning", "stadsdelsförvaltning", 1_300),
    ("Östermalms stadsdelsförvaltning", "stadsdelsförvaltning", 1_300),
    ("Skarpnäcks stadsdelsförvaltning", "stadsdelsförvaltning", 1_300),
    ("Norrmalms stadsdelsförvaltning", "stadsdelsförvaltning", 1_200),
    ("Spånga-Tensta stadsdelsförvaltning", "stadsdelsförvaltning", 1_200),
    ("Skärholmens stadsdelsförvaltning", "stadsdelsförvaltning", 1_100),
    ("Älvsjö stadsdelsförvaltning", "stadsdelsförvaltning", 900),
    ("Kulturförvaltningen", "fackförvaltning", 900),
    ("Idrottsförvaltningen", "fackförvaltning", 700),
    ("Arbetsmarknadsförvaltningen", "fackförvaltning", 600),
    ("Serviceförvaltningen", "fackförvaltning", 600),
    ("Trafikkontoret", "fackförvaltning", 450),
    ("Stadsbyggnadskontoret", "fackförvaltning", 430),
    ("Stadsledningskontoret", "fackförvaltning", 430),
    ("Exploateringskontoret", "fackförvaltning", 250),
    ("Miljöförvaltningen", "fackförvaltning", 230),
    ("Fastighetskontoret", "fackförvaltning", 200),
    ("Kyrkogårdsförvaltningen", "fackförvaltning", 200),
    ("Äldreförvaltningen", "fackförvaltning", 120),
    ("Överförmyndarförvaltningen", "fackförvaltning", 90),
    ("Revisionskontoret", "fackförvaltning", 50),
    ("Stockholms Stadsteater AB", "bolag", 450),
    ("AB Svenska Bostäder", "bolag", 400),
    ("AB Stockholmshem", "bolag", 300),
    ("AB Familjebostäder", "bolag", 230),
    ("Stockholms Hamn AB", "bolag", 200),
    ("Skolfastigheter i Stockholm AB", "bolag", 170),
    ("Micasa Fastigheter i Stockholm AB", "bolag", 110),
    ("Stockholms Stads Parkerings AB", "bolag", 110),
    ("AB Stokab", "bolag", 70),
    ("AB Bostadsförmedlingen i Stockholm", "bolag", 60),
)
_GENERATED_MEDIAN = 120  # headcount of a typical generated department
_GENERATED_SIGMA = 0.9  # their spread (log scale): a few reach several hundred
_NAMED_SIGMA = 0.15  # a named department varies a little around its typical size
_MIN_EMPLOYEES = 20
_PAYSLIPS_PER_EMPLOYEE = 13  # 12 months plus summer substitutes and remunerations

# Probability that a department joined the centre after its start (a "recent joiner").
_LATE_JOINER = {"stadsdelsförvaltning": 0.0, "fackförvaltning": 0.15, "bolag": 0.6}
_FOUNDED_YEARS_BEFORE = 5  # the centre started this many years before the city's year

# Invoices per employee and year, relative, by kind (the ledgers' weights, SYNTHETIC).
_SUPPLIER_INTENSITY = {"stadsdelsförvaltning": 10, "fackförvaltning": 16, "bolag": 25}
_CUSTOMER_INTENSITY = {"stadsdelsförvaltning": 12, "fackförvaltning": 10, "bolag": 30}
_INVOICE_SIGMA = 0.4
_MANUAL_SLOPE = 0.6  # how much more a small department reports manually (log-size slope)
_MANUAL_SIGMA = 0.35  # each department's own habit

# Monthly pattern, January..December (SYNTHETIC): summer substitutes raise June-August and
# December is shorter on the payroll; the ledgers are quiet in July and busy around new year.
_MONTH_WEIGHTS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "payroll": (100, 98, 100, 99, 101, 108, 112, 106, 100, 99, 98, 85),
        "supplier": (106, 95, 104, 98, 102, 104, 70, 90, 103, 106, 104, 120),
        "customer": (112, 96, 102, 100, 100, 98, 72, 92, 104, 104, 102, 116),
    }
)
_MONTH_JITTER = 0.02  # each service's months vary by up to ±2 % with the seed

# Each invoice stream: its service codes and their SYNTHETIC shares (they sum to 1).
_SUPPLIER_SPLIT = {"ap.electronic": Decimal("0.80"), "ap.manual": Decimal("0.20")}
_CUSTOMER_SPLIT = {
    "ar.feeder": Decimal("0.85"),
    "ar.manual": Decimal("0.10"),
    "ar.manual_attachment": Decimal("0.05"),
}


@dataclass(frozen=True, slots=True)
class SyntheticDepartment:
    """One SYNTHETIC department of the city: the name may be real, the figures are invented.

    Attributes:
        name: The department's name, always ending with ``" (syntetisk)"``.
        kind: ``"stadsdelsförvaltning"``, ``"fackförvaltning"`` or ``"bolag"``.
        employees: Headcount (invented), 1 or more; the payroll volumes follow it.
        first_year: The year the department joined the shared-service centre; it is billed
            from January of that year. A few are recent joiners.
    """

    name: str
    kind: DepartmentKind
    employees: int
    first_year: int


@dataclass(frozen=True, slots=True)
class SyntheticCity:
    """A SYNTHETIC city: its departments and one year of volumes.

    Attributes:
        seed: The seed it was drawn with.
        year: The year of its volumes (January..December).
        departments: The departments, in the order they were drawn (named ones first).
        volumes: The year's volumes per month, department and service; each entry's source
            is ``<synthetic seed=N>`` with one row.
        description: What the city is (SYNTHETIC) and which seed figures it reproduces.
    """

    seed: int
    year: int
    departments: tuple[SyntheticDepartment, ...]
    volumes: VolumeSet
    description: str

    @property
    def services(self) -> tuple[str, ...]:
        """The service codes that have volumes, sorted."""
        return tuple(sorted({e.key.service for e in self.volumes.entries}))

    @property
    def service_totals(self) -> Mapping[str, Decimal]:
        """The year's quantity per service, exact."""
        totals: dict[str, list[Decimal]] = {}
        for entry in self.volumes.entries:
            totals.setdefault(entry.key.service, []).append(entry.quantity)
        return MappingProxyType({s: exact_sum(q, Decimal(0)) for s, q in sorted(totals.items())})

    def department_totals(self, *services: str) -> dict[str, Decimal]:
        """The year's quantity per department (in drawn order) of the matching services.

        Args:
            services: Service codes or shell-style patterns (``"payroll.*"``); all services
                when none is given.
        """
        totals = {d.name: Decimal(0) for d in self.departments}
        for entry in self.volumes.entries:
            if not services or _matches(entry.key.service, services):
                totals[entry.key.department] += entry.quantity
        return totals

    def only(self, *services: str) -> SyntheticCity:
        """The same city with only the volumes of the matching services (codes or patterns)."""
        volumes = VolumeSet(
            tuple(e for e in self.volumes.entries if _matches(e.key.service, services))
        )
        return SyntheticCity(self.seed, self.year, self.departments, volumes, self.description)

    def payroll_only(self) -> SyntheticCity:
        """The same city with its payroll volumes only: billable under the 2014 list."""
        return self.only("payroll.*")


def synthetic_city(
    seed: int = 2014,
    year: int = 2014,
    departments: int = 60,
    payslips: int = 600_000,
    self_service_share: Decimal = Decimal("0.755"),
    supplier_invoices: int = 1_060_000,
    customer_invoices: int = 1_545_000,
    *,
    services: Iterable[str] | None = None,
) -> SyntheticCity:
    """Draw a SYNTHETIC city whose year volumes add up exactly to the given totals.

    The defaults are the plans' figures. ``round(payslips x self_service_share)`` (half up)
    payslips are ``payroll.self_service`` and the rest ``payroll.manual``; smaller
    departments report a larger share manually. Supplier invoices split 80/20 into
    ``ap.electronic``/``ap.manual``, customer invoices 85/10/5 into
    ``ar.feeder``/``ar.manual``/``ar.manual_attachment`` (largest remainder, exact).

    Args:
        seed: Seed of the ``random.Random`` that draws the city.
        year: The year of the volumes. The ``ap.*``/``ar.*`` codes are in the 2010 list
            only, so the full city bills under the bundled lists with ``year=2010``.
        departments: How many departments (1 or more). The first 40 have real Stockholm
            names, the rest are called ``Förvaltning 41``, ``Förvaltning 42``, ...
        payslips: Payslips in the year.
        self_service_share: The self-service share of the payslips, 0..1 (a ``Decimal``).
        supplier_invoices: Supplier invoices in the year.
        customer_invoices: Customer invoices in the year.
        services: Service codes or shell-style patterns to keep (``("payroll.*",)`` for a
            payroll-only city billable under the 2014 list); all by default. The city is
            drawn in full first, so a filtered city has the same volumes for what it keeps.

    Raises:
        TypeError: When ``self_service_share`` is not a Decimal.
        ValueError: When a count is negative, ``departments`` is below 1, the share is
            outside 0..1, or the year is not 1..9999.
    """
    _check_arguments(
        year, departments, payslips, self_service_share, supplier_invoices, customer_invoices
    )
    rng = random.Random(seed)
    month_rng = random.Random(rng.getrandbits(64))
    department_rng = random.Random(rng.getrandbits(64))

    month_weights = _month_weights(month_rng)
    drawn = [_draw_department(department_rng, index, year) for index in range(departments)]
    employees = _scale_headcounts(
        [d.size for d in drawn], max(departments, payslips // _PAYSLIPS_PER_EMPLOYEE)
    )
    city_departments = tuple(
        SyntheticDepartment(d.name, d.kind, n, d.first_year)
        for d, n in zip(drawn, employees, strict=True)
    )
    names = [d.name for d in city_departments]
    size_z = _size_scores(employees)
    habits = [d.manual_habit for d in drawn]

    self_service = int(round_amount(Decimal(payslips) * self_service_share, "half_up", _ONE))
    year_totals: dict[str, int] = {
        "payroll.self_service": self_service,
        "payroll.manual": payslips - self_service,
    }
    year_totals.update(_split_year(supplier_invoices, _SUPPLIER_SPLIT))
    year_totals.update(_split_year(customer_invoices, _CUSTOMER_SPLIT))

    manual_share = Decimal(payslips - self_service) / Decimal(payslips) if payslips else 0
    weights = _service_weights(
        employees, size_z, habits, manual_share, PAYROLL_SERVICES[0], {"payroll.manual": _ONE}
    )
    for split, intensity, stream in (
        (_SUPPLIER_SPLIT, _SUPPLIER_INTENSITY, "ap"),
        (_CUSTOMER_SPLIT, _CUSTOMER_INTENSITY, "ar"),
    ):
        volume = [
            max(1, round(n * intensity[d.kind] * d.ledger_factor[stream]))
            for n, d in zip(employees, drawn, strict=True)
        ]
        first, *manual = split
        manual_total = sum((split[code] for code in manual), Decimal(0))
        manual_parts = {code: split[code] / manual_total for code in manual}
        weights.update(_service_weights(volume, size_z, habits, manual_total, first, manual_parts))

    source = (VolumeSource(f"<synthetic seed={seed}>", 1),)
    entries: list[VolumeEntry] = []
    for service, total in year_totals.items():
        pattern = month_weights[service]
        by_month = allocate(Decimal(total), pattern, _ONE)
        service_weights = dict(zip(names, weights[service], strict=True))
        for month_number, month_total in by_month.items():
            month = Month(year, month_number)
            for name, quantity in allocate(month_total, service_weights, _ONE).items():
                if quantity:
                    entries.append(VolumeEntry(VolumeKey(month, name, service), quantity, source))
    volumes = VolumeSet.from_entries(entries)
    city = SyntheticCity(
        seed=seed,
        year=year,
        departments=city_departments,
        volumes=volumes,
        description=_description(
            seed, year, departments, payslips, self_service, supplier_invoices, customer_invoices
        ),
    )
    return city if services is None else city.only(*services)


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True, slots=True)
class _Drawn:
    name: str
    kind: DepartmentKind
    size: int
    first_year: int
    manual_habit: float
    ledger_factor: Mapping[str, float]


def _check_arguments(
    year: int,
    departments: int,
    payslips: int,
    share: Decimal,
    supplier_invoices: int,
    customer_invoices: int,
) -> None:
    if not isinstance(share, Decimal):
        msg = f"self_service_share must be a Decimal, got {share!r}"
        raise TypeError(msg)
    if not share.is_finite() or not 0 <= share <= 1:
        msg = f"self_service_share must be between 0 and 1, got {share}"
        raise ValueError(msg)
    if departments < 1:
        msg = f"departments must be 1 or more, got {departments}"
        raise ValueError(msg)
    counts = {
        "payslips": payslips,
        "supplier_invoices": supplier_invoices,
        "customer_invoices": customer_invoices,
    }
    for what, count in counts.items():
        if count < 0:
            msg = f"{what} must be 0 or more, got {count}"
            raise ValueError(msg)
    if not 1 <= year <= 9999:
        msg = f"year must be 1..9999, got {year}"
        raise ValueError(msg)


def _matches(service: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(service, p) for p in patterns)


def _month_weights(rng: random.Random) -> dict[str, dict[int, Decimal]]:
    """Each service's weights per month (1..12): the pattern of its stream, jittered."""
    stream = dict.fromkeys(PAYROLL_SERVICES, "payroll")
    stream.update(dict.fromkeys(_SUPPLIER_SPLIT, "supplier"))
    stream.update(dict.fromkeys(_CUSTOMER_SPLIT, "customer"))
    weights: dict[str, dict[int, Decimal]] = {}
    for code in (*PAYROLL_SERVICES, *ECONOMY_SERVICES):
        base = _MONTH_WEIGHTS[stream[code]]
        weights[code] = {
            month: Decimal(round(w * 1000 * (1 + rng.uniform(-_MONTH_JITTER, _MONTH_JITTER))))
            for month, w in enumerate(base, start=1)
        }
    return weights


def _draw_department(rng: random.Random, index: int, year: int) -> _Drawn:
    """Draw department ``index`` (0-based); the draws of one never depend on the others."""
    if index < len(_NAMED):
        name, kind, typical = _NAMED[index]
        size = typical * rng.lognormvariate(0, _NAMED_SIGMA)
    else:
        name, kind = f"Förvaltning {index + 1}", "fackförvaltning"
        size = rng.lognormvariate(math.log(_GENERATED_MEDIAN), _GENERATED_SIGMA)
    founded = year - _FOUNDED_YEARS_BEFORE
    late = index >= 2 and rng.random() < (0.3 if index >= len(_NAMED) else _LATE_JOINER[kind])
    first_year = rng.randint(founded + 1, year) if late else founded
    habit = rng.gauss(0, _MANUAL_SIGMA)
    ledger = {
        "ap": rng.lognormvariate(0, _INVOICE_SIGMA),
        "ar": rng.lognormvariate(0, _INVOICE_SIGMA),
    }
    return _Drawn(
        name + SYNTHETIC_LABEL,
        kind,
        max(1, round(size)),
        max(1, first_year),
        habit,
        MappingProxyType(ledger),
    )


def _scale_headcounts(sizes: Sequence[int], total: int) -> list[int]:
    """Scale the drawn sizes to ``total`` employees; each gets at least a small floor."""
    floor = min(_MIN_EMPLOYEES, total // len(sizes))
    rest = allocate(
        Decimal(total - floor * len(sizes)), {i: Decimal(s) for i, s in enumerate(sizes)}, _ONE
    )
    return [floor + int(rest[i]) for i in range(len(sizes))]


def _size_scores(employees: Sequence[int]) -> list[float]:
    """How small each department is: log of the median headcount over its own."""
    ordered = sorted(employees)
    median = ordered[len(ordered) // 2]
    return [math.log(median / n) for n in employees]


def _manual_fractions(
    volume: Sequence[int], size_z: Sequence[float], habits: Sequence[float], share: float
) -> list[float]:
    """Each department's manual fraction: logistic in size and habit, averaging ``share``.

    The level is found by bisection so that the volume-weighted mean is ``share``; the
    exact totals come from the split, this only shapes who reports manually.
    """
    scores = [_MANUAL_SLOPE * z + h for z, h in zip(size_z, habits, strict=True)]
    total = sum(volume)

    def mean(level: float) -> float:
        return sum(v / (1 + math.exp(-(level + s))) for v, s in zip(volume, scores, strict=True))

    low, high = -60.0, 60.0
    for _ in range(100):
        middle = (low + high) / 2
        if mean(middle) < share * total:
            low = middle
        else:
            high = middle
    level = (low + high) / 2
    return [1 / (1 + math.exp(-(level + s))) for s in scores]


def _service_weights(
    volume: Sequence[int],
    size_z: Sequence[float],
    habits: Sequence[float],
    manual_share: Decimal | int,
    automatic: str,
    manual_parts: Mapping[str, Decimal],
) -> dict[str, list[Decimal]]:
    """Department weights of a stream's automatic service and of its manual services."""
    share = float(manual_share)
    if 0 < share < 1:
        fractions = [
            min(_PPM - 1, max(1, round(f * _PPM)))
            for f in _manual_fractions(volume, size_z, habits, share)
        ]
    else:  # nothing (or everything) is manual: the split gives the other side zero
        fractions = [_PPM // 2] * len(volume)
    weights = {automatic: [Decimal(v * (_PPM - f)) for v, f in zip(volume, fractions, strict=True)]}
    for code, part in manual_parts.items():
        weights[code] = [Decimal(v * f) * part for v, f in zip(volume, fractions, strict=True)]
    return weights


def _split_year(total: int, split: Mapping[str, Decimal]) -> dict[str, int]:
    return {code: int(n) for code, n in allocate(Decimal(total), split, _ONE).items()}


def _description(
    seed: int,
    year: int,
    departments: int,
    payslips: int,
    self_service: int,
    supplier_invoices: int,
    customer_invoices: int,
) -> str:
    def n(value: int) -> str:
        return f"{value:,}".replace(",", " ")

    share = f"{Decimal(self_service) / Decimal(payslips) * 100:.1f}" if payslips else "0.0"
    return (
        f"SYNTHETIC city (seed={seed}, year {year}): {departments} departments with real or "
        "generated names, each marked '(syntetisk)'; their sizes, join years, monthly pattern "
        "and volumes are invented. It reproduces the year totals "
        f"{n(payslips)} payslips, of which {n(self_service)} ({share} %) self-service and "
        f"{n(payslips - self_service)} manual; {n(supplier_invoices)} supplier invoices "
        f"(ap.electronic/ap.manual 80/20, synthetic split) and {n(customer_invoices)} customer "
        "invoices (ar.feeder/ar.manual/ar.manual_attachment 85/10/5, synthetic split). "
        "Plan figures: 600 000 payslips a year, 453 000 (75,5 %) machine-processed "
        "[003_dbc171dac11004c9.txt:133-137]; 1 060 000 supplier and 1 545 000 customer "
        "invoices a year [001_107bc9a4fc2b7a7d.txt:90]. The ap.*/ar.* codes exist only in "
        "the 2010 price list; the 2014 list prices the payroll services only."
    )
