"""sfprice: self-cost pricing and internal invoicing for a shared-service administration.

The public API, for scripts and notebooks::

    import sfprice

    catalog = sfprice.load_catalog()                     # the bundled 2010 and 2014 lists
    volumes = sfprice.read_volumes("volumes.csv", catalog=catalog, year=2014)
    run = sfprice.bill(catalog, volumes, year=2014)
    run.total                                            # Decimal('...')
    run.invoices[0].lines[0].amount
    sfprice.run_to_json(run)

Money is ``decimal.Decimal`` throughout; see ``docs/money.md`` for the rounding rules.
"""

from sfprice.engine.billing import BillingRun, ComponentCharge, Invoice, InvoiceLine, bill
from sfprice.errors import InputError, Issue, PriceNotFound, SfpriceError
from sfprice.io.pricelists import bundled_pricelists, load_catalog, load_pricelist
from sfprice.io.volumes import read_volume_files, read_volumes, trace_rows
from sfprice.model import (
    PriceCatalog,
    PriceComponent,
    PriceItem,
    PriceList,
    Unit,
    VolumeEntry,
    VolumeKey,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import round_amount
from sfprice.period import Month
from sfprice.reports.formats import (
    format_amount,
    run_to_csv,
    run_to_json,
    run_to_json_data,
    run_to_table,
)

__version__ = "0.1.0"

__all__ = [
    "BillingRun",
    "ComponentCharge",
    "InputError",
    "Invoice",
    "InvoiceLine",
    "Issue",
    "Month",
    "PriceCatalog",
    "PriceComponent",
    "PriceItem",
    "PriceList",
    "PriceNotFound",
    "SfpriceError",
    "Unit",
    "VolumeEntry",
    "VolumeKey",
    "VolumeSet",
    "VolumeSource",
    "__version__",
    "bill",
    "bundled_pricelists",
    "format_amount",
    "load_catalog",
    "load_pricelist",
    "read_volume_files",
    "read_volumes",
    "round_amount",
    "run_to_csv",
    "run_to_json",
    "run_to_json_data",
    "run_to_table",
    "trace_rows",
]
