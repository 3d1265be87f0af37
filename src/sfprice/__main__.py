"""``python -m sfprice``: the command line."""

from sfprice.cli import main

raise SystemExit(main())
