from __future__ import annotations

import uuid

import factory
from factory.django import DjangoModelFactory

from accounts.models import AuditLogEntry, Company, Connection, Membership, User, WebhookEvent

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n} Ltd")
    codat_company_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    base_currency = "GBP"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.OWNER


class ConnectionFactory(DjangoModelFactory):
    class Meta:
        model = Connection

    company = factory.SubFactory(CompanyFactory)
    codat_connection_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    platform_key = "gbol"
    platform_name = "Xero"
    status = Connection.Status.LINKED
    link_url = factory.LazyAttribute(
        lambda c: (
            f"http://127.0.0.1:8000/sandbox/link-api/companies/{c.company.codat_company_id}"
            f"/connections/{c.codat_connection_id}/start"
        )
    )


class AuditLogEntryFactory(DjangoModelFactory):
    class Meta:
        model = AuditLogEntry

    company = factory.SubFactory(CompanyFactory)
    action = "supplier.created"
    object_type = "supplier"
    object_id = factory.Sequence(str)
    object_repr = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    after = factory.LazyAttribute(lambda e: {"name": e.object_repr})


class WebhookEventFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    message_id = factory.LazyFunction(lambda: f"msg_{uuid.uuid4().hex}")
    event_type = "read.completed"
    company = factory.SubFactory(CompanyFactory)
    payload = factory.LazyAttribute(lambda e: {"eventType": e.event_type})
    status = WebhookEvent.Status.PROCESSED
