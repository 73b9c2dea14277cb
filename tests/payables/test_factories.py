from __future__ import annotations

import pytest

from payables.models import Bill
from tests.payables.factories import BillFactory, BillLineItemFactory

pytestmark = pytest.mark.django_db


def test_bill_factory_keeps_supplier_in_the_bills_company(company) -> None:
    bill = BillFactory(company=company)
    BillLineItemFactory(bill=bill)

    assert bill.supplier.company == company
    assert Bill.objects.for_company(company).unpaid().get() == bill
    assert bill.line_items.count() == 1
