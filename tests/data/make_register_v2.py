"""Make tests/data/register-v2.db and its golden output with the code before the register
split (commit 5425160, schema 2, line details as a reflective dump); see README.md."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path


def main(repo: Path, out: Path, golden: Path) -> None:
    """Issue allocations (2010), a revision without them, and a tiered 2026 list; then
    record what ``invoices show`` (table, JSON), the HTML page and the PDF's text show for
    every document."""
    from sfprice import bill, load_catalog
    from sfprice.engine.allocation import allocate_pool, with_allocations, year_months
    from sfprice.io.allocations import load_allocations
    from sfprice.io.volumes import read_volume_files
    from sfprice.period import Month
    from sfprice.register import Manifest, Register

    examples = repo / "examples"
    catalog = load_catalog()
    volumes = read_volume_files([examples / "volumes-2010.csv"], catalog=catalog, year=2010)
    run = bill(catalog, volumes, year=2010)
    pools = load_allocations(examples / "allocations-2010.toml", reserved_codes=catalog.codes)
    allocated = with_allocations(
        run, [allocate_pool(p, d) for p, d in pools], months=year_months(2010), catalog=catalog
    )
    tiered = load_catalog(examples / "pricelists-2026-models" / "2026-tiered.toml")
    volumes_2026 = read_volume_files([examples / "volumes-2026.csv"], catalog=tiered, year=2026)
    run_2026 = bill(tiered, volumes_2026, year=2026)
    manifest = Manifest.for_files(
        volumes=[examples / "volumes-2010.csv"],
        others=[("allocations", examples / "allocations-2010.toml")],
        note="v2 fixture",
        now=datetime(2010, 2, 3, 8, 0, tzinfo=UTC),
    )
    march = Month(2010, 3)
    with Register.open(out) as reg:
        reg.issue(allocated, march, manifest=manifest, now=datetime(2010, 4, 2, 9, 0, tzinfo=UTC))
        reg.issue(run, march, manifest=manifest, now=datetime(2010, 4, 9, 9, 0, tzinfo=UTC))
        reg.issue(run_2026, Month(2026, 2), manifest=manifest,
                  now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # fmt: skip
    golden.write_text(_golden(shown(out)), encoding="utf-8")
    # The schema-1 register, upgraded by the same code, for the same comparison.
    with tempfile.TemporaryDirectory() as folder:
        v1 = Path(folder) / "register-v1.db"
        shutil.copyfile(repo / "tests" / "data" / "register-v1.db", v1)
        with Register.open(v1):
            pass
        upgraded = shown(v1)
    (golden.parent / "register-v1-shown.json").write_text(_golden(upgraded), encoding="utf-8")


def _golden(shown: dict[str, str]) -> str:
    return json.dumps(shown, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def shown(path: Path) -> dict[str, str]:
    """What each document of the register at ``path`` shows: ``invoices show`` as a table
    and as JSON, the HTML page and the text of the PDF, by ``"NUMBER FORM"``."""
    import pypdf

    from sfprice.cli import main as cli
    from sfprice.documents.invoice import invoice_html, invoice_view
    from sfprice.documents.pdf import invoice_pdf
    from sfprice.register import Register

    with Register.open(path, create=False) as reg:
        numbers = [d.number for d in reg.documents()]
    out = {}
    for number in numbers:
        for form in ("table", "json"):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                code = cli(["invoices", "show", number, "--register", str(path), "--format", form])
            assert code == 0
            out[f"{number} {form}"] = buffer.getvalue()
        with Register.open(path, create=False) as reg:
            out[f"{number} html"] = invoice_html(invoice_view(reg, number))
            pdf = pypdf.PdfReader(io.BytesIO(invoice_pdf(invoice_view(reg, number))))
            out[f"{number} pdf"] = "\f".join(page.extract_text() for page in pdf.pages)
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
