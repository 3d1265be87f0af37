"""Make tests/data/register-v1.db with the schema-1 code (commit 82c1753); see README.md."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path


def main(repo: Path, out: Path) -> None:
    """Issue January and February 2014 of the examples, then the revised February."""
    from sfprice import bill, load_catalog
    from sfprice.io.volumes import read_volume_files
    from sfprice.period import Month
    from sfprice.register import Manifest, Register

    catalog = load_catalog(repo / "pricelists")

    def run(name: str):  # type: ignore[no-untyped-def]
        volumes = read_volume_files([repo / "examples" / name], catalog=catalog, year=2014)
        return bill(catalog, volumes, year=2014)

    manifest = Manifest((), "0.1.0", "2014-12-31T23:30:00+00:00", "v1 fixture")
    with Register.open(out) as reg:
        # January on 5 Feb 2014, 12:00 UTC; February on 31 Dec 2014, 23:30 UTC, already
        # 1 January 2015 in Stockholm (schema 1 numbered and dated it in 2014, UTC);
        # the revision on 2 January 2015.
        reg.issue(run("volumes-2014.csv"), Month(2014, 1), manifest=manifest,
                  now=datetime(2014, 2, 5, 12, 0, tzinfo=UTC))  # fmt: skip
        reg.issue(run("volumes-2014.csv"), Month(2014, 2), manifest=manifest,
                  now=datetime(2014, 12, 31, 23, 30, tzinfo=UTC))  # fmt: skip
        reg.issue(run("volumes-2014-revised.csv"), Month(2014, 2), manifest=manifest,
                  now=datetime(2015, 1, 2, 9, 0, tzinfo=UTC))  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
