"""billpay's benchmarks, beside the source and never in the wheel (pyproject.toml's package list).

- `django_bench.py`: import, inbox, refresh, pay and bill-create figures on throw-away databases,
  run by `manage.py benchmark` (this folder is a Django app that settings install only where it is
  present, so a deployment from the wheel has no such command and no benchmark code).
- `client_streaming.py`: the Codat client's memory while it pages through a large ledger.
- `load.py` (+ `load_seed.py`, `locustfile.py`): locust against the production shape.
"""
