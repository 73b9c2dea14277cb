"""Canned JSON copied from the examples in specs/Codat-Sync-Payables.yaml.

Kept as JSON text, not Python dicts, so that numbers reach the client exactly as Codat writes them.
"""

from __future__ import annotations

# list-companies 200 "One company"
LIST_COMPANIES = """\
{
  "results": [
    {
      "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
      "name": "My Test Company",
      "description": "My Test Company make testing software",
      "platform": "",
      "redirect": "https://link.codat.io/company/3fa85f64-5717-4562-b3fc-2c963f66afa6",
      "lastSync": "2022-01-01T12:30:00.000Z",
      "dataConnections": [
        {
          "id": "51baa045-4836-4317-a42e-3542e991e581",
          "integrationId": "1c312d69-e638-46d4-ad31-72e6c3ba8390",
          "integrationKey": "vjms",
          "sourceId": "396c3158-5dd7-481b-a7c4-a795ca31792b",
          "platformName": "Pandle",
          "linkUrl": "https://link-api.codat.io/companies/3fa85f64-5717-4562-b3fc-2c963f66afa6/connections/51baa045-4836-4317-a42e-3542e991e581/start",
          "status": "Linked",
          "lastSync": "2022-01-01T12:30:00.000Z",
          "created": "2022-01-01T11:30:00Z",
          "sourceType": "Accounting"
        }
      ],
      "created": "2022-01-01T11:30:00Z",
      "createdByUserName": "Mike Smith",
      "products": [
        "spend-insights",
        "lending",
        "expenses-v1",
        "commerce"
      ],
      "referenceSubsidiaryCompanies": []
    }
  ],
  "pageNumber": 1,
  "pageSize": 100,
  "totalResults": 1,
  "_links": {
    "current": {
      "href": "/companies?page=1&pageSize=100"
    },
    "self": {
      "href": "/companies"
    }
  }
}
"""

# list-companies 200 "List of Companies"
LIST_COMPANIES_MANY = """\
{
  "results": [
    {
      "id": "d1568dde-adf6-11ed-afa1-0242ac120002",
      "name": "Technicalium",
      "description": "Technology services, including web and app design and development",
      "platform": "",
      "redirect": "https://link.codat.io/company/d1568dde-adf6-11ed-afa1-0242ac120002",
      "lastSync": "2022-01-01T12:30:00.000Z",
      "dataConnections": [
        {
          "id": "51baa045-4836-4317-a42e-3542e991e581",
          "integrationId": "1c312d69-e638-46d4-ad31-72e6c3ba8390",
          "integrationKey": "vjms",
          "sourceId": "396c3158-5dd7-481b-a7c4-a795ca31792b",
          "platformName": "Pandle",
          "linkUrl": "https://link-api.codat.io/companies/d1568dde-adf6-11ed-afa1-0242ac120002/connections/51baa045-4836-4317-a42e-3542e991e581/start",
          "status": "Linked",
          "lastSync": "2022-01-01T12:30:00.000Z",
          "created": "2022-01-01T11:30:00Z",
          "sourceType": "Accounting"
        }
      ],
      "created": "2022-01-01T11:30:00Z",
      "createdByUserName": "Joe Bloggs",
      "products": [
        "spend-insights",
        "lending",
        "payables-v2"
      ],
      "referenceSubsidiaryCompanies": []
    },
    {
      "id": "ab12c58d-a678-4ebf-a159-ae99e1807bd0",
      "name": "Toft stores",
      "redirect": "https://link.codat.io/company/ab12c58d-a678-4ebf-a159-ae99e1807bd0",
      "dataConnections": [],
      "created": "2022-11-10T10:45:18Z",
      "createdByUserName": "Dan Tzabar",
      "products": [
        "spend-insights"
      ],
      "referenceSubsidiaryCompanies": [
        {
          "id": "c8d3af58-7011-47ce-b3f2-89faf300ef6d",
          "name": "Toft stores UK",
          "links": {
            "portal": "https://app.codat.io/companies/c8d3af58-7011-47ce-b3f2-89faf300ef6d/summary"
          }
        },
        {
          "id": "db94eddc-9212-4568-9b5c-3eab0e325913",
          "name": "Toft stores US",
          "links": {
            "portal": "https://app.codat.io/companies/db94eddc-9212-4568-9b5c-3eab0e325913/summary"
          }
        }
      ]
    },
    {
      "id": "c8d3af58-7011-47ce-b3f2-89faf300ef6d",
      "name": "Toft stores UK",
      "redirect": "https://link.codat.io/company/c8d3af58-7011-47ce-b3f2-89faf300ef6d",
      "dataConnections": [
        {
          "id": "d5ab61b7-1ad0-46fd-9f9f-b6761047941e",
          "integrationId": "cc750323-5a47-4f28-8d8e-30fbbf2ce137",
          "integrationKey": "akxx",
          "sourceId": "9815b998-024d-4415-a40b-89903b2cad6f",
          "platformName": "Oracle NetSuite",
          "linkUrl": "https://link-api.codat.io/companies/c8d3af58-7011-47ce-b3f2-89faf300ef6d/connections/d5ab61b7-1ad0-46fd-9f9f-b6761047941e/start",
          "status": "Linked",
          "lastSync": "2022-01-01T12:30:00.000Z",
          "created": "2022-01-01T11:30:00Z",
          "sourceType": "Accounting"
        }
      ],
      "created": "2022-11-10T10:45:18Z",
      "createdByUserName": "Dan Tzabar",
      "products": [
        "lending",
        "spend-insights",
        "payables"
      ],
      "referenceParentCompany": {
        "id": "ab12c58d-a678-4ebf-a159-ae99e1807bd0",
        "name": "Toft stores",
        "links": {
          "portal": "https://app.codat.io/companies/ab12c58d-a678-4ebf-a159-ae99e1807bd0/summary"
        }
      },
      "referenceSubsidiaryCompanies": []
    },
    {
      "id": "db94eddc-9212-4568-9b5c-3eab0e325913",
      "name": "Toft stores US",
      "redirect": "https://link.codat.io/company/db94eddc-9212-4568-9b5c-3eab0e325913",
      "dataConnections": [
        {
          "id": "1e5c8c9e-27fd-4ba9-9a2a-d02ba65bc2fb",
          "integrationId": "cc750323-5a47-4f28-8d8e-30fbbf2ce137",
          "integrationKey": "akxx",
          "sourceId": "9815b998-024d-4415-a40b-89903b2cad6f",
          "platformName": "Oracle NetSuite",
          "linkUrl": "https://link-api.codat.io/companies/db94eddc-9212-4568-9b5c-3eab0e325913/connections/1e5c8c9e-27fd-4ba9-9a2a-d02ba65bc2fb/start",
          "status": "Linked",
          "lastSync": "2022-01-01T12:30:00.000Z",
          "created": "2022-01-01T11:30:00Z",
          "sourceType": "Accounting"
        }
      ],
      "created": "2022-11-10T10:45:18Z",
      "createdByUserName": "Dan Tzabar",
      "products": [
        "spend-insights"
      ],
      "referenceParentCompany": {
        "id": "ab12c58d-a678-4ebf-a159-ae99e1807bd0",
        "name": "Toft stores",
        "links": {
          "portal": "https://app.codat.io/companies/ab12c58d-a678-4ebf-a159-ae99e1807bd0/summary"
        }
      },
      "referenceSubsidiaryCompanies": []
    }
  ],
  "pageNumber": 1,
  "pageSize": 100,
  "totalResults": 3,
  "_links": {
    "current": {
      "href": "/companies?page=1&pageSize=100"
    },
    "self": {
      "href": "/companies"
    }
  }
}
"""

# create-company 200 "With a tag"
CREATE_COMPANY = """\
{
  "id": "ab12c58d-a678-4ebf-a159-ae99e1807bd0",
  "name": "Technicalium",
  "description": "",
  "platform": "",
  "redirect": "https://link.codat.io/company/ab12c58d-a678-4ebf-a159-ae99e1807bd0",
  "dataConnections": [],
  "created": "2022-11-10T10:45:18.1950523Z",
  "createdByUserName": "Dan Tzabar",
  "products": [
    "spend-insights"
  ],
  "tags": {
    "region": "us"
  },
  "referenceSubsidiaryCompanies": []
}
"""

# get-company 200 "Subsidiary multi-entity company"
GET_COMPANY = """\
{
  "id": "c8d3af58-7011-47ce-b3f2-89faf300ef6d",
  "name": "Toft stores UK",
  "description": "",
  "platform": "",
  "redirect": "https://link.codat.io/company/c8d3af58-7011-47ce-b3f2-89faf300ef6d",
  "dataConnections": [
    {
      "id": "d5ab61b7-1ad0-46fd-9f9f-b6761047941e",
      "integrationId": "cc750323-5a47-4f28-8d8e-30fbbf2ce137",
      "integrationKey": "akxx",
      "sourceId": "9815b998-024d-4415-a40b-89903b2cad6f",
      "platformName": "Oracle NetSuite",
      "linkUrl": "https://link-api.codat.io/companies/c8d3af58-7011-47ce-b3f2-89faf300ef6d/connections/d5ab61b7-1ad0-46fd-9f9f-b6761047941e/start",
      "status": "Linked",
      "lastSync": "2022-01-01T12:30:00.000Z",
      "created": "2022-01-01T11:30:00Z",
      "sourceType": "Accounting"
    }
  ],
  "created": "2022-11-10T10:45:18Z",
  "createdByUserName": "Dan Tzabar",
  "products": [
    "spend-insights",
    "lending",
    "expenses-v1",
    "commerce"
  ],
  "referenceParentCompany": {
    "id": "ab12c58d-a678-4ebf-a159-ae99e1807bd0",
    "name": "Toft stores",
    "links": {
      "portal": "https://app.codat.io/companies/ab12c58d-a678-4ebf-a159-ae99e1807bd0/summary"
    }
  },
  "referenceSubsidiaryCompanies": []
}
"""

# list-connections 200 "Connections" (its _links placeholders are the spec's own)
LIST_CONNECTIONS = """\
{
  "results": [
    {
      "id": "ee2eb431-c0fa-4dc9-93fa-d29781c12bcd",
      "integrationId": "bf083d72-62c7-493e-aec9-81b4dbba7e2c",
      "integrationKey": "dfxm",
      "sourceId": "bdd831ce-eebd-4896-89a7-20e5ee8989ee",
      "platformName": "Basiq",
      "linkUrl": "https://link-api.codat.io/companies/86bd88cb-44ab-4dfb-b32f-87b19b14287f/connections/ee2eb431-c0fa-4dc9-93fa-d29781c12bcd/start",
      "status": "Linked",
      "lastSync": "2022-10-27T10:22:43.6464237Z",
      "created": "2022-10-27T09:53:29Z",
      "sourceType": "Banking"
    }
  ],
  "pageNumber": 0,
  "pageSize": 0,
  "totalResults": 0,
  "_links": {
    "self": {
      "href": "string"
    },
    "current": {
      "href": "string"
    },
    "next": {
      "href": "string"
    },
    "previous": {
      "href": "string"
    }
  }
}
"""

# get-connection / create-connection 200 "Connection"
CONNECTION = """\
{
  "id": "ee2eb431-c0fa-4dc9-93fa-d29781c12bcd",
  "integrationId": "bf083d72-62c7-493e-aec9-81b4dbba7e2c",
  "integrationKey": "dfxm",
  "sourceId": "bdd831ce-eebd-4896-89a7-20e5ee8989ee",
  "platformName": "Basiq",
  "linkUrl": "https://link-api.codat.io/companies/86bd88cb-44ab-4dfb-b32f-87b19b14287f/connections/ee2eb431-c0fa-4dc9-93fa-d29781c12bcd/start",
  "status": "Linked",
  "lastSync": "2022-10-27T10:22:43.6464237Z",
  "created": "2022-10-27T09:53:29Z",
  "sourceType": "Banking"
}
"""

# get-company-information 200
COMPANY_INFORMATION = """\
{
  "companyName": "Bank of Dave",
  "baseCurrency": "GBP"
}
"""

# get-mapping-options-bills 200
BILL_MAPPING_OPTIONS = """\
{
  "accounts": [
    {
      "id": "1b6266d1-1e44-46c5-8eb5-a8f98e03124e",
      "nominalCode": "879-i",
      "name": "Accounts payable",
      "type": "Liability",
      "currency": "GBP",
      "status": "Active",
      "sourceModifiedDate": "2022-10-23T00:00:00.000Z"
    }
  ],
  "taxRates": [
    {
      "id": "d2939064-dd3a-4c0f-9865-a238c2193515",
      "name": "VAT @ 20%",
      "code": "VAT20",
      "effectiveTaxRate": 20,
      "totalTaxRate": 20,
      "status": "Active",
      "sourceModifiedDate": "2022-10-23T00:00:00.000Z"
    }
  ],
  "pagination": {
    "continuationToken": "eyJwYWdlIjoyLCJwYWdlU2l6ZSI6MTAwLCJwYWdlQ291bnQiOjExfQ=="
  }
}
"""

# get-mapping-options-payments 200
PAYMENT_MAPPING_OPTIONS = """\
{
  "bankAccounts": [
    {
      "id": "3d5a8e00-d108-4045-8823-7f342676cffa",
      "name": "Bank of Dave current account",
      "accountNumber": "12345678",
      "currency": "GBP",
      "nominalCode": "1234567",
      "sortCode": "123456",
      "status": "Active",
      "accountType": "Debit",
      "sourceModifiedDate": "2022-10-23T00:00:00.000Z"
    }
  ],
  "pagination": {
    "continuationToken": "eyJwYWdlIjoyLCJwYWdlU2l6ZSI6MTAwLCJwYWdlQ291bnQiOjExfQ=="
  }
}
"""

# list-bills 200 "Bills" verbatim: its first currencyRate is the string "1," (a spec defect)
LIST_BILLS_AS_IN_SPEC = """\
{
  "results": [
    {
      "id": "18",
      "reference": "12",
      "supplierRef": {
        "id": "4",
        "supplierName": "BILLy elliot"
      },
      "issueDate": "2019-05-13T00:00:00",
      "dueDate": "2019-05-13T00:00:00",
      "currency": "GBP",
      "currencyRate": "1,",
      "lineItems": [
        {
          "description": "Dance shoes",
          "unitAmount": 5,
          "quantity": 1,
          "taxAmount": 0,
          "accountRef": {
            "id": "16"
          },
          "taxRateRef": {
            "id": "NON"
          },
          "totalAmount": 5
        }
      ],
      "status": "Open",
      "totalAmount": 5,
      "amountDue": 0,
      "sourceModifiedDate": "2022-05-26T10:34:10Z"
    },
    {
      "id": "22",
      "reference": "12",
      "supplierRef": {
        "id": "4",
        "supplierName": "BILLy elliot"
      },
      "issueDate": "2019-05-13T00:00:00",
      "dueDate": "2019-05-13T00:00:00",
      "currency": "GBP",
      "currencyRate": 1,
      "lineItems": [
        {
          "description": "Dance shoes",
          "unitAmount": 5,
          "quantity": 1,
          "taxAmount": 0,
          "accountRef": {
            "id": "16"
          },
          "taxRateRef": {
            "id": "NON"
          },
          "totalAmount": 5
        }
      ],
      "status": "Paid",
      "totalAmount": 5,
      "amountDue": 0,
      "sourceModifiedDate": "2022-05-26T10:34:10Z"
    }
  ],
  "pagination": {
    "continuationToken": "eyJwYWdlIjoyLCJwYWdlU2l6ZSI6MTAwLCJwYWdlQ291bnQiOjExfQ=="
  }
}
"""

# create-bill request "Create bill"
CREATE_BILL_REQUEST = """\
{
  "reference": "bill_b8qmmj4ksf1suax",
  "supplierRef": {
    "id": "1262c350-fe0f-40ec-aeff-41c95b4a45af",
    "supplierName": "DIISR - Small Business Services"
  },
  "issueDate": "2023-04-23T00:00:00",
  "dueDate": "2023-04-23T00:00:00",
  "currency": "GBP",
  "currencyRate": 1,
  "lineItems": [
    {
      "description": "Half day training - Microsoft Office",
      "unitAmount": 1800,
      "quantity": 1,
      "taxAmount": 360,
      "totalAmount": 2160,
      "accountRef": {
        "id": "46f9461e-788b-4906-8b74-d1ea17f6dc10"
      },
      "taxRateRef": {
        "id": "INPUT2"
      }
    },
    {
      "description": "Desktop/network support via email & phone.Per month fixed fee for minimum 20 hours/month.",
      "unitAmount": 4000,
      "quantity": 1,
      "taxAmount": 800,
      "totalAmount": 4800,
      "accountRef": {
        "id": "f96c9458-d724-47bf-8f74-a9d5726465ce"
      },
      "taxRateRef": {
        "id": "INPUT2"
      }
    },
    {
      "description": "Stationery charges",
      "unitAmount": 32,
      "quantity": 8,
      "taxAmount": 51.2,
      "totalAmount": 307.2,
      "accountRef": {
        "id": "cba6527d-f102-4538-b421-e483233e9d5a"
      },
      "taxRateRef": {
        "id": "INPUT2"
      },
      "trackingRefs": [
        {
          "id": "dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa",
          "dataType": "trackingCategories"
        }
      ]
    }
  ],
  "status": "Open"
}
"""

# create-bill 201 "Created bill"
CREATED_BILL = """\
{
  "id": "bill-1029932",
  "reference": "bill_b8qmmj4ksf1suax",
  "supplierRef": {
    "id": "1262c350-fe0f-40ec-aeff-41c95b4a45af",
    "supplierName": "DIISR - Small Business Services"
  },
  "issueDate": "2023-04-23T00:00:00",
  "dueDate": "2023-04-23T00:00:00",
  "currency": "GBP",
  "lineItems": [
    {
      "description": "Half day training - Microsoft Office",
      "unitAmount": 1800,
      "quantity": 1,
      "taxAmount": 360,
      "totalAmount": 2160,
      "accountRef": {
        "id": "46f9461e-788b-4906-8b74-d1ea17f6dc10"
      },
      "taxRateRef": {
        "id": "INPUT2"
      }
    },
    {
      "description": "Desktop/network support via email & phone.Per month fixed fee for minimum 20 hours/month.",
      "unitAmount": 4000,
      "quantity": 1,
      "taxAmount": 800,
      "totalAmount": 4800,
      "accountRef": {
        "id": "f96c9458-d724-47bf-8f74-a9d5726465ce"
      },
      "taxRateRef": {
        "id": "INPUT2"
      }
    },
    {
      "description": "Stationery charges",
      "unitAmount": 32,
      "quantity": 8,
      "taxAmount": 51.2,
      "totalAmount": 307.2,
      "accountRef": {
        "id": "cba6527d-f102-4538-b421-e483233e9d5a"
      },
      "taxRateRef": {
        "id": "INPUT2"
      },
      "trackingRefs": [
        {
          "id": "dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa",
          "dataType": "trackingCategories"
        }
      ]
    }
  ],
  "status": "Open",
  "totalAmount": 7267.2,
  "amountDue": 7267.2
}
"""

# update-bill 200 "Updated bill"
UPDATED_BILL = """\
{
  "id": "bill-1029932",
  "reference": "bill_updated_ref",
  "supplierRef": {
    "id": "1262c350-fe0f-40ec-aeff-41c95b4a45af",
    "supplierName": "DIISR - Small Business Services"
  },
  "issueDate": "2023-04-23T00:00:00",
  "dueDate": "2023-05-23T00:00:00",
  "currency": "GBP",
  "lineItems": [
    {
      "description": "Updated line item - Microsoft Office training",
      "unitAmount": 2000,
      "quantity": 1,
      "taxAmount": 400,
      "totalAmount": 2400,
      "accountRef": {
        "id": "46f9461e-788b-4906-8b74-d1ea17f6dc10"
      },
      "taxRateRef": {
        "id": "INPUT2"
      }
    },
    {
      "description": "Desktop/network support via email & phone - updated rate",
      "unitAmount": 4500,
      "quantity": 1,
      "taxAmount": 900,
      "totalAmount": 5400,
      "accountRef": {
        "id": "f96c9458-d724-47bf-8f74-a9d5726465ce"
      },
      "taxRateRef": {
        "id": "INPUT2"
      },
      "trackingRefs": [
        {
          "id": "dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa",
          "dataType": "trackingCategories"
        }
      ]
    }
  ],
  "status": "Open",
  "totalAmount": 7800,
  "amountDue": 7800
}
"""

# upload-bill-attachment 201
ATTACHMENT = """\
{
  "id": "422f093f-e556-4bf3-91c0-93af70c3e850",
  "name": "receipt.png",
  "contentType": "image/png",
  "dateCreated": "2022-10-23T00:00:00.000Z",
  "fileSize": 100,
  "includeWhenSent": true,
  "sourceModifiedDate": "2022-05-26T10:34:10Z"
}
"""

# list-bill-attachments 200 (a bare array)
ATTACHMENTS = """\
[
  {
    "id": "422f093f-e556-4bf3-91c0-93af70c3e850",
    "name": "receipt.png",
    "contentType": "image/png",
    "dateCreated": "2022-10-23T00:00:00.000Z",
    "fileSize": 100,
    "includeWhenSent": true,
    "sourceModifiedDate": "2022-05-26T10:34:10Z"
  },
  {
    "id": "20cfd269-2f0f-44ef-a28c-7b5f725cf1aa",
    "name": "another_receipt.png",
    "contentType": "image/png",
    "dateCreated": "2022-10-24T00:00:00.000Z",
    "fileSize": 98,
    "includeWhenSent": true,
    "sourceModifiedDate": "2022-05-27T12:38:10Z"
  }
]
"""

# create-bill-payment 201 "Bill payment"
BILL_PAYMENT = """\
{
  "id": "billPayment-1029932",
  "amount": 22,
  "currencyRate": 1,
  "date": "2022-10-23T00:00:00.000Z",
  "accountRef": {
    "id": "7bda9f44sr56"
  },
  "reference": "Bill Payment against bill c13e37b6 dfaa-4894-b3be-9fe97bda9f44"
}
"""

# list-suppliers 200
LIST_SUPPLIERS = """\
{
  "results": [
    {
      "id": "c523e12f-8b74-4d3a-bbd8-32d7a2f598b4",
      "supplierName": "City Limousines",
      "contactName": "Martin Dale",
      "emailAddress": "martyd@citylim.co",
      "phone": "07999 999999",
      "addresses": [
        {
          "type": "Billing",
          "line1": "Unit 51",
          "line2": "Bakersfield Industrial Estate",
          "city": "Bakersfield",
          "region": "California",
          "country": "USA",
          "postalCode": "93308"
        }
      ],
      "status": "Active",
      "balance": 100,
      "defaultCurrency": "GBP",
      "sourceModifiedDate": "2022-10-23T00:00:00Z"
    },
    {
      "id": "41",
      "supplierName": "AI Support",
      "contactName": "AI Support",
      "addresses": [
        {
          "type": "Billing",
          "line1": "test",
          "region": "string",
          "country": "Djibouti"
        }
      ],
      "status": "Active",
      "defaultCurrency": "GBP",
      "sourceModifiedDate": "2022-12-07T10:48:18Z"
    }
  ],
  "pagination": {
    "continuationToken": "eyJwYWdlIjoyLCJwYWdlU2l6ZSI6MTAwLCJwYWdlQ291bnQiOjExfQ=="
  }
}
"""

# create-supplier 201 / update-supplier 200
SUPPLIER = """\
{
  "id": "sup-10933920",
  "supplierName": "Northridge Office Supplies",
  "contactName": "Sarah Johnson",
  "emailAddress": "sarah.johnson@northridgesupplies.co.uk",
  "phone": "+44 (0)1223 322410",
  "addresses": [
    {
      "type": "Billing",
      "line1": "Flat 1",
      "line2": "2 Dennis Avenue",
      "city": "London",
      "region": "Camden",
      "country": "GB",
      "postalCode": "EC1N 7TE"
    }
  ],
  "status": "Active",
  "balance": 0,
  "defaultCurrency": "GBP",
  "sourceModifiedDate": "2026-03-18T10:30:00Z"
}
"""

# create-bank-account 201
BANK_ACCOUNT = """\
{
  "id": "fb623ab2-f6ff-4b22-b7d3-b7cc2a4aa0ea",
  "nominalCode": "22",
  "name": "Plutus - Payables - Bank Account 12",
  "accountNumber": "0120 0440",
  "sortCode": "50-50-50",
  "currency": "GBP",
  "accountType": "Debit",
  "status": "Active",
  "sourceModifiedDate": "2024-02-22T14:46:43.99Z"
}
"""

# components/responses/BadRequest "Malformed query"
BAD_REQUEST = """\
{
  "statusCode": 400,
  "service": "PublicApi",
  "error": "Error processing request - not valid.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Unauthorized "Unauthorized"
UNAUTHORIZED = """\
{
  "statusCode": 401,
  "service": "PublicApi",
  "error": "Unauthorized",
  "correlationId": "7eb40d6b415d7bcd99ce658268284056",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Payment-Required "Conflict"
PAYMENT_REQUIRED = """\
{
  "statusCode": 429,
  "service": "PublicApi",
  "error": "You have exceeded the 50-company limit that applies to a Free plan. We recommend that you delete any companies you no longer need and retry the request.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Forbidden "Conflict"
FORBIDDEN = """\
{
  "statusCode": 403,
  "service": "PublicApi",
  "error": "You are using an outdated API key or a key not associated with that resource.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Not-Found "Company not found"
NOT_FOUND = """\
{
  "statusCode": 404,
  "service": "ClientsApi",
  "error": "No company was found with ID 846ed55c-974b-4392-a1f1-87b6fdbf3c5e",
  "correlationId": "0a40c2f31fc8f992fb88b0853e4166f3",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Conflict "Conflict"
CONFLICT = """\
{
  "statusCode": 409,
  "service": "PublicApi",
  "error": "The data set has not been requested.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Too-Many-Requests "Conflict"
TOO_MANY_REQUESTS = """\
{
  "statusCode": 429,
  "service": "PublicApi",
  "error": "You have made too many requests in a given amount of time; please retry later.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Internal-Server-Error "Conflict"
INTERNAL_SERVER_ERROR = """\
{
  "statusCode": 500,
  "service": "PublicApi",
  "error": "There is a problem with our server. Please try again later.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# components/responses/Service-Unavailable "Conflict"
SERVICE_UNAVAILABLE = """\
{
  "statusCode": 500,
  "service": "PublicApi",
  "error": "The Codat API is temporarily offline for maintenance. Please try again later.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "canBeRetried": "Unknown",
  "detailedErrorCode": 0
}
"""

# update-bill request "Update bill"
UPDATE_BILL_REQUEST = """\
{
  "reference": "bill_updated_ref",
  "supplierRef": {
    "id": "1262c350-fe0f-40ec-aeff-41c95b4a45af"
  },
  "issueDate": "2023-04-23T00:00:00",
  "dueDate": "2023-05-23T00:00:00",
  "currency": "GBP",
  "currencyRate": 1,
  "lineItems": [
    {
      "description": "Updated line item - Microsoft Office training",
      "unitAmount": 2000,
      "quantity": 1,
      "taxAmount": 400,
      "totalAmount": 2400,
      "accountRef": {
        "id": "46f9461e-788b-4906-8b74-d1ea17f6dc10"
      },
      "taxRateRef": {
        "id": "INPUT2"
      }
    },
    {
      "description": "Desktop/network support via email & phone - updated rate",
      "unitAmount": 4500,
      "quantity": 1,
      "taxAmount": 900,
      "totalAmount": 5400,
      "accountRef": {
        "id": "f96c9458-d724-47bf-8f74-a9d5726465ce"
      },
      "taxRateRef": {
        "id": "INPUT2"
      },
      "trackingRefs": [
        {
          "id": "dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa",
          "dataType": "trackingCategories"
        }
      ]
    }
  ],
  "status": "Open"
}
"""

# create-bill-payment request "Bill payment example"
BILL_PAYMENT_REQUEST = """\
{
  "amount": 22,
  "currencyRate": 1,
  "date": "2022-10-23T00:00:00.000Z",
  "accountRef": {
    "id": "7bda9f44sr56"
  },
  "reference": "Bill Payment against bill c13e37b6 dfaa-4894-b3be-9fe97bda9f44"
}
"""

# create-supplier request "Suppliers"
SUPPLIER_REQUEST = """\
{
  "supplierName": "Northridge Office Supplies",
  "contactName": "Sarah Johnson",
  "emailAddress": "sarah.johnson@northridgesupplies.co.uk",
  "phone": "+44 (0)1223 322410",
  "addresses": [
    {
      "type": "Billing",
      "line1": "Flat 1",
      "line2": "2 Dennis Avenue",
      "city": "London",
      "region": "Camden",
      "country": "GB",
      "postalCode": "EC1N 7TE"
    }
  ],
  "status": "Active",
  "defaultCurrency": "GBP"
}
"""

# create-bank-account request "Bank account example"
BANK_ACCOUNT_REQUEST = """\
{
  "nominalCode": "22",
  "name": "Plutus - Payables - Bank Account 12",
  "accountNumber": "0120 0440",
  "sortCode": "50-50-50",
  "currency": "GBP",
  "accountType": "Debit"
}
"""
