"""The Bill Pay API operations the sandbox ledger serves, one module per resource (attachments,
bills, companies, mapping, suppliers), written against the kernel in `base.py`; `records.py` and
`paging.py` are the helpers they share."""

from __future__ import annotations
