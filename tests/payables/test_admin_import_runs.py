from __future__ import annotations

import pytest
from django.urls import reverse

from payables.models import ImportRun
from tests.accounts.factories import UserFactory
from tests.payables.factories import (
    BillFactory,
    BillLineItemFactory,
    ImportRunFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model", ["supplier", "bill", "account", "taxrate", "bankaccount", "attachment", "importrun"]
)
def test_every_payables_model_is_listed_and_cannot_be_added(admin_client_, company, model) -> None:
    assert admin_client_.get(reverse(f"admin:payables_{model}_changelist")).status_code == 200
    assert admin_client_.get(reverse(f"admin:payables_{model}_add")).status_code == 403


def test_a_bill_shows_read_only_with_its_lines(admin_client_, company) -> None:
    bill = BillFactory(company=company, supplier=SupplierFactory(company=company))
    BillLineItemFactory(bill=bill, description="Blue widgets")

    response = admin_client_.get(reverse("admin:payables_bill_change", args=[bill.pk]))

    assert response.status_code == 200
    assert "Blue widgets" in response.text
    assert 'name="_save"' not in response.text


def test_retry_action_queues_failed_runs_only(admin_client_, company, enqueued_import) -> None:
    failed = ImportRunFactory(company=company, status=ImportRun.Status.FAILED, error="Down")
    done = ImportRunFactory(company=company, status=ImportRun.Status.SUCCEEDED)

    response = admin_client_.post(
        reverse("admin:payables_importrun_changelist"),
        {"action": "retry", "_selected_action": [failed.pk, done.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 import(s) queued again." in response.text
    assert "1 import(s) were not failed" in response.text
    failed.refresh_from_db()
    done.refresh_from_db()
    assert failed.status == ImportRun.Status.PENDING
    assert done.status == ImportRun.Status.SUCCEEDED
    enqueued_import.assert_called_once_with(failed.pk)
