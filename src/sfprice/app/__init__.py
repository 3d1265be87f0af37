"""The application layer: one request, one function per run, shared by every entry point.

Between the loaders and the engine (below) and the reports, documents, register and CLI
(above). :func:`run_billing` reads the inputs a :class:`BillingRequest` names, bills them
and applies the allocation pools; ``bill`` shows its result and ``issue`` stores one month
of it, so a preview and an issued invoice can never differ.
"""

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.app.paths import same_file_issues

__all__ = ["BillingOutcome", "BillingRequest", "run_billing", "same_file_issues"]
