"""Make fakturor.db: a register whose documents stored customer codes (issue 11).

Run from the repository root: ``python docs/examples/errors/register-codes/make_register.py``
(delete fakturor.db first). The customer register is built in code (made-up codes):
Miljöförvaltningen with the code 44-10, which SIE readers that take an object code as
[0-9a-zA-Z]+ would cut to 44; Miljönämnden with 4400; Kulturförvaltningen with 1310; and
Stadsbyggnadsförvaltningen issued without a record. The catalog's ``export sie`` case only
reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import Customer, Unit
from sfprice.period import Month
from sfprice.register import Manifest, Register

HERE = Path(__file__).resolve().parent


def main() -> None:
    feb = Month(2014, 2)
    line = InvoiceLine(
        "payroll.self_service", "Lön/ersättning via Lisa Självservice eller Lisa Tid",
        Unit.PERSON_MONTH, Decimal(10), Decimal(57), Decimal("570.00"), (), "2014",
        "made-up example", (), business_area="payroll",
    )  # fmt: skip
    customers = [
        Customer("Kulturförvaltningen", code="1310", reference="Anna Berg"),
        Customer("Miljöförvaltningen", code="44-10", reference="Bo Ek"),
        Customer("Miljönämnden", code="4400"),
        None,
    ]
    names = ["Kulturförvaltningen", "Miljöförvaltningen", "Miljönämnden",
             "Stadsbyggnadsförvaltningen"]  # fmt: skip
    run = BillingRun(
        2014,
        "SEK",
        tuple(
            Invoice(name, feb, "2014", "SEK", (line,), customer)
            for name, customer in zip(names, customers, strict=True)
        ),
    )
    manifest = Manifest((), "made-up example", "2014-03-05T09:00:00+00:00", "")
    with Register.open(HERE / "fakturor.db") as register:
        register.issue(run, feb, manifest=manifest, now=datetime(2014, 3, 5, 9, tzinfo=UTC))


if __name__ == "__main__":
    main()
