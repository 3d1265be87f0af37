"""One billing pipeline: the request, and the one function ``bill`` and ``issue`` both call.

A :class:`BillingRequest` names every input of a billing run: the volume files, the year,
the price-list sources (several folders or files), the customer register and the
allocation pools. :func:`run_billing` reads them, bills the year, adds the allocation
lines and collects the notes a user should see. ``bill`` shows the whole run;
``issue`` stores one month of the very same run, so what was previewed is what is issued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from sfprice.agreements import Agreements
from sfprice.engine.allocation import allocate_pool, with_allocations, year_months
from sfprice.engine.billing import BillingRun, Invoice, bill, with_customers
from sfprice.engine.consolidate import consolidate
from sfprice.errors import InputError, PriceNotFound, Remedy, SfpriceError
from sfprice.io.agreements import read_agreements, resolve_customers
from sfprice.io.allocations import allocation_key_files, load_allocations
from sfprice.io.customers import read_customers
from sfprice.io.departments import check_departments
from sfprice.io.pricelists import load_catalog, pricelist_sources
from sfprice.io.profiles import load_profile
from sfprice.io.volumes import locate_missing_prices, read_volume_files
from sfprice.model import Customer, PriceCatalog, VolumeSet
from sfprice.period import Month

__all__ = [
    "INVOICE_PER",
    "BillingOutcome",
    "BillingRequest",
    "BillingRequestError",
    "run_billing",
]

#: What one invoice covers: a department's month, or a paying parent's month.
INVOICE_PER = ("department", "parent")

PriceListSource = str | Path | Traversable


class BillingRequestError(SfpriceError, ValueError):
    """A billing request whose options do not fit (per parent without a register)."""


@dataclass(frozen=True, slots=True)
class BillingRequest:
    """Everything a billing run reads.

    Attributes:
        volumes: The volume files (CSV); several files add up.
        year: The year billed; rows of other years are left out and counted.
        pricelists: Price-list folders or ``.toml`` files, combined into one catalog;
            ``"@bundled"`` names the bundled folder; empty means the bundled lists.
        customers: The customer register (TOML or CSV, see docs/customers.md), or None;
            volume rows may name its customers by code, name or alias.
        allocations: The allocation pools (TOML), or None.
        profile: The import profile (TOML) the volume files are read with, or None
            (docs/import-profiles.md).
        sheet: The worksheet of ``.xlsx`` volume files (default: the profile's, or the first).
        agreements: The agreements and overrides (TOML, ``docs/agreements.md``), or None.
        per: ``"department"`` (one invoice per department and month) or ``"parent"``
            (one per paying parent and month, :func:`sfprice.engine.consolidate`); a
            consolidated run needs the customer register that names the parents.
    """

    volumes: tuple[Path, ...]
    year: int
    pricelists: tuple[PriceListSource, ...] = ()
    customers: Path | None = None
    allocations: Path | None = None
    _: KW_ONLY  # the inputs added later are named, so that no position can mix them up
    profile: Path | None = None
    sheet: str | None = None
    agreements: Path | None = None
    per: str = "department"

    def __post_init__(self) -> None:
        if self.per not in INVOICE_PER:
            msg = f"per={self.per!r}: expected one of {', '.join(INVOICE_PER)}"
            raise ValueError(msg)
        if self.per == "parent" and self.customers is None:
            msg = (
                "per='parent' needs the customer register that names each customer's "
                f"paying parent {Remedy.GIVE_CUSTOMERS}"
            )
            raise BillingRequestError(msg)
        object.__setattr__(self, "volumes", tuple(Path(p) for p in self.volumes))
        object.__setattr__(self, "pricelists", tuple(self.pricelists))
        for name in ("customers", "allocations", "profile", "agreements"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value))

    def input_files(self) -> tuple[tuple[str, Path], ...]:
        """The inputs other than volumes and price lists, with their roles.

        The allocation file comes with the key files it names (role ``allocation_key``).
        """
        found: list[tuple[str, Path]] = []
        if self.profile is not None:
            found.append(("profile", self.profile))
        if self.customers is not None:
            found.append(("customers", self.customers))
        if self.allocations is not None:
            found.append(("allocations", self.allocations))
            found += [("allocation_key", p) for p in allocation_key_files(self.allocations)]
        if self.agreements is not None:
            found.append(("agreements", self.agreements))
        return tuple(found)


@dataclass(frozen=True, slots=True)
class BillingOutcome:
    """A billing run with what produced it and what the user should be told.

    Attributes:
        request: The request.
        catalog: The combined price lists.
        pricelist_files: The price-list files read, in order (for a manifest).
        run: The invoices, allocation lines included.
        notes: Notes for the user (rows outside the year, nothing billed, proposals).
        volume_run: The run before the allocation lines were added: what the volumes
            (and the fixed fees of their months) bill. Allocation pools are spread over
            every month of the year, so only this run tells which months have actuals.
        volumes: The volumes billed (of the year), for a service that prices them again
            (simulation).
        customers: The customer register read, or None.
        agreements: The agreements read, or None.
    """

    request: BillingRequest
    catalog: PriceCatalog
    pricelist_files: tuple[Traversable, ...]
    run: BillingRun
    notes: tuple[str, ...]
    volume_run: BillingRun | None = None
    volumes: VolumeSet | None = None
    customers: Mapping[str, Customer] | None = None
    agreements: Agreements | None = None

    @property
    def actual_months(self) -> tuple[Month, ...]:
        """The months billed from volumes, in order (allocation lines left out)."""
        run = self.volume_run or self.run
        return tuple(sorted({i.month for i in run.invoices}))

    def invoices_of(self, period: Month) -> tuple[Invoice, ...]:
        """The invoices of one month, in the run's order."""
        return tuple(i for i in self.run.invoices if i.month == period)

    def months(self) -> tuple[Month, ...]:
        """The months that have an invoice, in order."""
        return tuple(sorted({i.month for i in self.run.invoices}))


def run_billing(
    request: BillingRequest, *, issued: Iterable[str] = (), issued_in: str = ""
) -> BillingOutcome:
    """Read the request's inputs, bill its year and add the allocation lines.

    This is the one billing pipeline: ``python -m sfprice bill`` shows its result and
    ``python -m sfprice issue`` stores a month of it. ``issued`` names the departments a
    register has already invoiced (``issued_in`` names the register): a new spelling of
    one of them is refused like any other variant.

    >>> outcome = run_billing(BillingRequest(("examples/volumes-2014.csv",), 2014))
    >>> outcome.run.total, len(outcome.run.invoices)
    (Decimal('669215.00'), 5)

    Raises:
        InputError: With one issue per problem in any input file.
        PriceNotFound: When a volume has no price in force.
    """
    sources = list(request.pricelists)
    catalog = load_catalog(sources or None)
    files = tuple(pricelist_sources(sources))
    customers = read_customers(request.customers) if request.customers is not None else None
    profile = load_profile(request.profile, catalog=catalog) if request.profile else None
    volumes = read_volume_files(
        request.volumes,
        catalog=catalog,
        year=request.year,
        customers=customers,
        profile=profile,
        sheet=request.sheet,
    )
    pools = (
        load_allocations(request.allocations, reserved_codes=catalog.codes, customers=customers)
        if request.allocations is not None
        else []
    )
    # One name per department across every file of the run (volumes, register, keys).
    check_departments(
        volumes=volumes,
        customers=customers,
        drivers=[driver for _, driver in pools],
        catalog=catalog,
        paths=request.volumes,
        issued=issued,
        issued_in=issued_in,
    )
    agreements = _agreements(request, catalog, volumes, customers)
    try:
        run = bill(catalog, volumes, year=request.year, customers=customers, agreements=agreements)
    except PriceNotFound as exc:
        # The engine names the files only; point at the first row that uses each service.
        raise locate_missing_prices(exc, profile=profile, sheet=request.sheet) from exc
    volume_run = run
    if pools:
        run = with_allocations(
            run,
            [allocate_pool(pool, driver) for pool, driver in pools],
            months=year_months(request.year),
            catalog=catalog,
        )
        # An allocation pool can invoice a department that has no volumes.
        run = with_customers(run, customers)
    if request.per == "parent":
        run = consolidate(run, customers or {})
    notes = _notes(request.year, catalog, run)
    return BillingOutcome(
        request, catalog, files, run, notes, volume_run, volumes, customers, agreements
    )


def _agreements(
    request: BillingRequest,
    catalog: PriceCatalog,
    volumes: VolumeSet,
    customers: Mapping[str, Customer] | None,
) -> Agreements | None:
    """The request's agreements, their customers resolved through the register.

    Without a register an agreement of the year must name a department of the volumes
    (:func:`~sfprice.io.agreements.resolve_customers`).
    """
    if request.agreements is None:
        return None
    agreements = read_agreements(request.agreements, catalog=catalog, customers=customers)
    if customers is None:
        issues = resolve_customers(agreements, volumes.departments, request.year)
        if issues:
            raise InputError(issues)
    return agreements


def _notes(year: int, catalog: PriceCatalog, run: BillingRun) -> tuple[str, ...]:
    notes = []
    if run.excluded_rows:
        notes.append(f"{run.excluded_rows} row(s) outside {year} were left out")
    if not run.invoices:
        notes.append(f"no volumes for {year}; nothing billed")
    proposals = sorted(
        {
            i.price_list
            for i in run.invoices
            if (pl := catalog.get(i.price_list)) and pl.status == "proposal"
        }
    )
    if proposals:
        notes.append(f"priced by a proposal, not a decided list: {', '.join(proposals)}")
    return tuple(notes)
