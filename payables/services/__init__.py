"""Write paths of the payables app, one module per concept, as in `payables.views`:

- `mirror`: billpay's copy of the ledger; every record the ledger answers is stored there, a bill
  always with its lines, whatever brought it (import, refresh, create, edit, payment, webhook).
- `runs`: the run engine of first-link imports and refreshes (phases, leases, resumable paging).
- `connection`: the one guard, the company's linked connection or a clear `NotConnected`.
- `imports`: starting the first-link import, retrying a run, resuming stalled runs.
- `sync`: starting refreshes, clean-up of stuck runs, and the sync-health checks.
- `payments`: paying bills (checked, sent once, retried, reconciled) and adding bank accounts.
- `bills`: creating and editing bills, the bill form's helpers, the mapping-options refresh, and the
  documents dropped to start a bill.
- `attachments`: a bill's attachments, uploaded to the ledger and opened from either copy.
- `suppliers`: creating, editing and re-reading suppliers in the ledger.
- `webhooks`: Codat webhooks, verified, recorded once and acted on.

Their errors are `payables.errors` (one root, `PayablesError`). Callers import from the module
(`from payables.services.payments import bill_pay`); this package re-exports nothing.
"""
