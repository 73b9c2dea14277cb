"""Write paths of the payables app (STYLE rule 10), one module per feature, as in `payables.views`:

- `imports`: the first-link import of the ledger's payables, and the row builders and upserts that
  store what the ledger answers.
- `sync`: refreshes after the import, clean-up of stuck runs, and the sync-health checks.
- `payments`: paying bills (checked, sent once, retried, reconciled) and adding bank accounts.
- `bills`: creating and editing bills, the bill form's helpers, the mapping-options refresh, and the
  documents dropped to start a bill.
- `attachments`: a bill's attachments, uploaded to the ledger and opened from either copy.
- `suppliers`: creating, editing and re-reading suppliers in the ledger.
- `webhooks`: Codat webhooks, verified, recorded once and acted on.
- `errors`: the errors of the bill and attachment write paths.

Callers import from the module (`from payables.services.payments import bill_pay`); this package
re-exports nothing.
"""
