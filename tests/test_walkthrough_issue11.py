"""Issue 11's Done-when, end to end through ``sfprice.cli.main`` (the README walkthrough).

Issuing 2014-01 and 2014-02 of ``examples/volumes-2014-register.csv`` and
``examples/volumes-2014-more.csv`` (MADE UP) with the example customer register and
agreements: a renamed department's earlier name bills under its code, units and school
areas bill as one customer, a company in the administrations' price group pays the list's
prices, an override and an add-on show on the stored documents with their source, and
Miljöförvaltningen and Miljönämnden are two SIE objects (5110 and 5000).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sfprice.cli import main
from sfprice.model import AgreementRef
from sfprice.period import Month
from sfprice.register import Register

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# 2014 list prices (pricelists/2014.toml): self service 57 kr, manual 57 + 53 = 110 kr,
# an hour 420 kr, salary debt 500 kr.
EXPECTED = {
    (Month(2014, 1), "Exempelbolaget AB"): Decimal("23860.00"),  # 380*57 + 20*110 = 21660 + 2200
    (Month(2014, 2), "Exempelbolaget AB"): Decimal("22785.00"),  # 385*57 + 2*420 = 21945 + 840
    (Month(2014, 1), "Miljöförvaltningen"): Decimal("15880.00"),  # 240*57 + 20*110 = 13680 + 2200
    (Month(2014, 2), "Miljöförvaltningen"): Decimal("13965.00"),  # 245*57
    (Month(2014, 1), "Miljönämnden"): Decimal("1650.00"),  # 15*110 (arvoden), named by code 5000
    (Month(2014, 2), "Miljönämnden"): Decimal("1650.00"),  # 15*110
    # Norr + Söder + gymnasieområde, one customer: (4200 + 3900 + 1500) * 57 = 9600 * 57
    (Month(2014, 1), "Utbildningsförvaltningen"): Decimal("547200.00"),
    # (4210 + 1490) * 57 + 120 * 110 = 324900 + 13200
    (Month(2014, 2), "Utbildningsförvaltningen"): Decimal("338100.00"),
    # Under its earlier name "Kultur- och fritidsförvaltningen"; own price 55 kr:
    # 640*55 + 95*110 + 2*500 = 35200 + 10450 + 1000
    (Month(2014, 1), "Kulturförvaltningen"): Decimal("46650.00"),
    # Its two units, 10 % off manual (99 kr): 2450*57 + 610*99 + 2.25*420
    # = 139650 + 60390 + 945
    (Month(2014, 1), "Skarpnäcks stadsdelsförvaltning"): Decimal("200985.00"),
    # 2480*57 + (400 + 190)*99 + 0.5*420 = 141360 + 58410 + 210
    (Month(2014, 2), "Skarpnäcks stadsdelsförvaltning"): Decimal("199980.00"),
    # By code 2110, February: 1180*57 + 310*110 + 1.5*420 + the add-on 4500
    # = 67260 + 34100 + 630 + 4500
    (Month(2014, 2), "Stadsbyggnadsförvaltningen"): Decimal("106490.00"),
}


def test_the_issue_11_walkthrough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "fakturor.db"
    for period in ("2014-01", "2014-02"):
        args = [
            "issue", str(EXAMPLES / "volumes-2014-register.csv"),
            str(EXAMPLES / "volumes-2014-more.csv"), "--period", period,
            "--register", str(register), "--customers", str(EXAMPLES / "customers-2014.toml"),
            "--agreements", str(EXAMPLES / "agreements-2014.toml"),
        ]  # fmt: skip
        assert main(args) == 0
    capsys.readouterr()
    with Register.open(register, read_only=True) as opened:
        documents = {(d.period, d.department): d for d in opened.documents()}
    for key, total in EXPECTED.items():
        assert documents[key].total == total, key
    codes = {
        dep: d.content.customer.code
        for (_, dep), d in documents.items()
        if d.content and d.content.customer
    }
    assert codes["Miljöförvaltningen"] == "5110"
    assert codes["Miljönämnden"] == "5000"
    assert codes["Exempelbolaget AB"] == "8100"
    # The override and the add-on, as stored on the documents, with their source.
    kultur = documents[(Month(2014, 1), "Kulturförvaltningen")].content
    assert kultur is not None
    assert kultur.lines[0].agreement == AgreementRef(
        "kultur-sjalvservice-2014",
        "avtalspris 55,00 kr (kundavtal)",
        "Serviceavtal SA-2014-031, bilaga 2 (påhittat)",
    )
    sbf = documents[(Month(2014, 2), "Stadsbyggnadsförvaltningen")].content
    assert sbf is not None
    add_on = [line for line in sbf.lines if line.agreement is not None]
    shown = [(x.service, x.amount, x.agreement) for x in add_on]
    assert [(s, a, r.id, r.source) for s, a, r in shown if r is not None] == [
        ("economy.asset_accounting", Decimal("4500.00"), "sbf-anlaggningsredovisning",
         "Tilläggsavtal TA-2014-007 (påhittat)"),
    ]  # fmt: skip
    # The company pays the list: no line of it was priced by an agreement.
    bolag = [documents[(m, "Exempelbolaget AB")].content for m in (Month(2014, 1), Month(2014, 2))]
    assert all(c is not None and all(x.agreement is None for x in c.lines) for c in bolag)
    # SIE: two objects for the two names that share a prefix.
    sie = tmp_path / "interndebitering-2014.se"
    accounts = str(EXAMPLES / "accounts-sie.toml")
    args = ["export", "sie", "--year", "2014", "--register", str(register),
            "--accounts", accounts, "--output", str(sie)]  # fmt: skip
    assert main(args) == 0
    objects = [
        line for line in sie.read_bytes().decode("cp437").splitlines() if line.startswith("#OBJEKT")
    ]
    assert '#OBJEKT 1 "5110" "Miljöförvaltningen"' in objects
    assert '#OBJEKT 1 "5000" "Miljönämnden"' in objects
    assert len(objects) == 7
