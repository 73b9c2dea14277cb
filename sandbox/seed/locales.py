"""Where each seeded ledger's business is: its home suppliers, what they bill for and how their tax
is charged. The UK (Xero, QuickBooks Online and FreeAgent ledgers), the US (NetSuite and Sage
Intacct) and India (Zoho Books), as codat.platforms' `base_currency` places them.

A bill line names a purpose (what it is for) and a tax class; each platform's profile
(`sandbox.seed.profiles`) codes purposes to its own accounts and tax classes to its own tax rates.
Purposes: stationery, it_support, software, hosting, utilities, telephone, accountancy, legal,
rent, repairs, cleaning, postage, travel, accommodation, travel_abroad, advertising,
cost_of_sales, materials, carriage, insurance, subscriptions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sandbox.seed.data import Category, City, Locale

UK_NAME_WORDS: Final = (
    "Northridge", "Brightwater", "Kingsley", "Ashford", "Oakfield", "Harbour", "Redbrook",
    "Millstone", "Ferngrove", "Castlegate", "Whitmore", "Beacon", "Thornbury", "Riverside",
    "Greenway", "Holloway", "Pemberton", "Stirling", "Marlow", "Fairfax", "Westbury", "Ellison",
    "Hawthorn", "Larkspur", "Bramley", "Calder", "Dunmore", "Everley", "Foxley", "Glenmore",
    "Hartley", "Ivydale", "Juniper", "Kestrel", "Linden", "Moorcroft", "Newland", "Orchard",
    "Penrose", "Quayside", "Rowan", "Saxon", "Tamar", "Upton", "Valley", "Wexford",
)  # fmt: skip
FIRST_NAMES: Final = (
    "Sarah", "James", "Priya", "Tom", "Aisha", "David", "Emma", "Oliver", "Chloe", "Daniel",
    "Fatima", "George", "Hannah", "Isaac", "Jessica", "Kieran", "Laura", "Mohammed", "Niamh",
    "Owen", "Rebecca", "Samuel", "Zara", "Wei", "Grace", "Liam", "Megan", "Ravi",
)  # fmt: skip
SURNAMES: Final = (
    "Johnson", "Patel", "Smith", "Williams", "Brown", "Taylor", "Khan", "Davies", "Evans",
    "Wilson", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Clarke", "Hall",
    "Wood", "Murphy", "Campbell", "Chen", "Ahmed", "Kelly", "Lewis", "Morgan",
)  # fmt: skip

UK_CATEGORIES: Final = (
    Category(
        ("Office Supplies", "Stationers"),
        (
            ("A4 copier paper, 5 reams", "stationery", "standard"),
            ("Toner cartridge, black", "stationery", "standard"),
            ("Ballpoint pens, box of 50", "stationery", "standard"),
            ("Desk organisers", "stationery", "standard"),
        ),
        (4, 120),
        10,
    ),
    Category(
        ("IT Services", "Systems", "Technology"),
        (
            ("Managed IT support, monthly", "it_support", "standard"),
            ("Microsoft 365 Business Standard licences", "software", "standard"),
            ("Laptop docking station", "software", "standard"),
            ("Firewall subscription", "software", "standard"),
        ),
        (25, 1500),
        5,
    ),
    Category(
        ("Energy", "Power"),
        (
            ("Electricity usage", "utilities", "reduced"),
            ("Electricity standing charge", "utilities", "reduced"),
            ("Gas usage", "utilities", "reduced"),
        ),
        (40, 900),
    ),
    Category(
        ("Telecom", "Communications"),
        (
            ("Business broadband, monthly", "telephone", "standard"),
            ("Mobile phone contract", "telephone", "standard"),
            ("VoIP lines", "telephone", "standard"),
        ),
        (20, 400),
        6,
    ),
    Category(
        ("& Co Accountants", "Accountancy"),
        (
            ("Year-end accounts preparation", "accountancy", "standard"),
            ("VAT return preparation", "accountancy", "standard"),
            ("Payroll bureau, monthly", "accountancy", "standard"),
        ),
        (150, 3500),
    ),
    Category(
        ("Legal LLP", "Solicitors"),
        (
            ("Contract review", "legal", "standard"),
            ("Employment advice", "legal", "standard"),
            ("Lease negotiation", "legal", "standard"),
        ),
        (200, 4000),
    ),
    Category(
        ("Estates", "Property Management"),
        (
            ("Office rent, quarterly", "rent", "exempt"),
            ("Service charge", "rent", "standard"),
            ("Boiler repair", "repairs", "standard"),
        ),
        (300, 6000),
    ),
    Category(
        ("Cleaning Services", "Facilities"),
        (
            ("Office cleaning, monthly", "cleaning", "standard"),
            ("Window cleaning", "cleaning", "standard"),
            ("Washroom services", "cleaning", "standard"),
        ),
        (60, 900),
    ),
    Category(
        ("Couriers", "Logistics", "Freight"),
        (
            ("Next day delivery", "postage", "standard"),
            ("Pallet delivery", "postage", "standard"),
            ("International courier", "postage", "zero"),
        ),
        (8, 450),
        20,
    ),
    Category(
        ("Travel", "Business Travel"),
        (
            ("Rail tickets, London return", "travel", "zero"),
            ("Hotel, 2 nights", "accommodation", "standard"),
            ("Flights, LHR to JFK", "travel_abroad", "zero"),
        ),
        (45, 1800),
        4,
    ),
    Category(
        ("Creative", "Marketing"),
        (
            ("Paid search management", "advertising", "standard"),
            ("Brochure design", "advertising", "standard"),
            ("Trade show stand", "advertising", "standard"),
        ),
        (150, 5000),
    ),
    Category(
        ("Wholesale", "Trading", "Supplies"),
        (
            ("Stock purchase, widgets", "cost_of_sales", "standard"),
            ("Packaging materials", "materials", "standard"),
            ("Carriage inwards", "carriage", "standard"),
        ),
        (2, 250),
        50,
    ),
    Category(
        ("Insurance Brokers",),
        (
            ("Public liability insurance", "insurance", "exempt"),
            ("Professional indemnity insurance", "insurance", "exempt"),
        ),
        (200, 2500),
    ),
)

UK_STREETS: Final = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Park Avenue",
    "King Street", "Queen's Road", "Bridge Street", "Market Place", "London Road", "The Parade",
)  # fmt: skip

UK: Final = Locale(
    country="GB",
    currency="GBP",
    # (city, region, postcode district + inward code)
    cities=(
        City("London", "Greater London", "EC1N #@@"),
        City("London", "Greater London", "SE1 #@@"),
        City("Manchester", "Greater Manchester", "M1 #@@"),
        City("Birmingham", "West Midlands", "B3 #@@"),
        City("Leeds", "West Yorkshire", "LS1 #@@"),
        City("Bristol", "City of Bristol", "BS1 #@@"),
        City("Edinburgh", "City of Edinburgh", "EH2 #@@"),
        City("Glasgow", "Glasgow City", "G2 #@@"),
        City("Cardiff", "Cardiff", "CF10 #@@"),
        City("Nottingham", "Nottinghamshire", "NG1 #@@"),
        City("Cambridge", "Cambridgeshire", "CB2 #@@"),
        City("Brighton", "East Sussex", "BN1 #@@"),
    ),
    home_region="Greater London",
    streets=UK_STREETS,
    # Numbers Ofcom sets aside for drama: 01632 960xxx and 020 7946 0xxx.
    phones=("01632 960###", "020 7946 0###"),
    suffixes=("Ltd",),
    email_domain="co.uk",
    first_names=FIRST_NAMES,
    surnames=SURNAMES,
    name_words=UK_NAME_WORDS,
    categories=UK_CATEGORIES,
    tax_percent={
        "standard": Decimal(20),
        "reduced": Decimal(5),
        "zero": Decimal(0),
        "exempt": Decimal(0),
        "none": Decimal(0),
    },
)

# US sales tax: in-state vendors charge it on goods and taxable services ("taxable"); services
# such as professional fees are not taxed ("exempt"). New York City's combined rate.
US_CATEGORIES: Final = (
    Category(
        ("Office Supply", "Stationery"),
        (
            ("Copy paper, 10 reams", "stationery", "taxable"),
            ("Toner cartridge, black", "stationery", "taxable"),
            ("Ballpoint pens, box of 60", "stationery", "taxable"),
            ("Desk organizers", "stationery", "taxable"),
        ),
        (5, 150),
        10,
    ),
    Category(
        ("IT Solutions", "Systems", "Tech"),
        (
            ("Managed IT services, monthly", "it_support", "exempt"),
            ("Microsoft 365 Business Standard licenses", "software", "taxable"),
            ("Laptop docking station", "software", "taxable"),
            ("Firewall subscription", "software", "taxable"),
        ),
        (30, 1900),
        5,
    ),
    Category(
        ("Energy", "Power"),
        (
            ("Electricity usage", "utilities", "taxable"),
            ("Electric delivery charge", "utilities", "taxable"),
            ("Natural gas usage", "utilities", "taxable"),
        ),
        (50, 1100),
    ),
    Category(
        ("Telecom", "Communications"),
        (
            ("Business internet, monthly", "telephone", "taxable"),
            ("Wireless plan, 5 lines", "telephone", "taxable"),
            ("VoIP lines", "telephone", "taxable"),
        ),
        (25, 500),
        6,
    ),
    Category(
        ("CPA Group", "Accounting"),
        (
            ("Year-end financial statements", "accountancy", "exempt"),
            ("Quarterly tax filings", "accountancy", "exempt"),
            ("Payroll processing, monthly", "accountancy", "exempt"),
        ),
        (200, 4500),
    ),
    Category(
        ("Law Group", "Legal"),
        (
            ("Contract review", "legal", "exempt"),
            ("Employment counsel", "legal", "exempt"),
            ("Lease negotiation", "legal", "exempt"),
        ),
        (250, 5000),
    ),
    Category(
        ("Properties", "Realty"),
        (
            ("Office rent, monthly", "rent", "exempt"),
            ("Common area maintenance", "rent", "exempt"),
            ("HVAC repair", "repairs", "taxable"),
        ),
        (400, 8000),
    ),
    Category(
        ("Janitorial", "Facilities"),
        (
            ("Office cleaning, monthly", "cleaning", "taxable"),
            ("Window washing", "cleaning", "taxable"),
            ("Restroom supplies", "cleaning", "taxable"),
        ),
        (75, 1100),
    ),
    Category(
        ("Delivery", "Logistics", "Freight"),
        (
            ("Overnight shipping", "postage", "exempt"),
            ("Freight, LTL pallet", "postage", "exempt"),
            ("International courier", "postage", "exempt"),
        ),
        (10, 550),
        20,
    ),
    Category(
        ("Travel", "Corporate Travel"),
        (
            ("Amtrak tickets, New York to Washington", "travel", "exempt"),
            ("Hotel, 2 nights", "accommodation", "taxable"),
            ("Flights, JFK to LHR", "travel_abroad", "exempt"),
        ),
        (60, 2200),
        4,
    ),
    Category(
        ("Creative", "Marketing"),
        (
            ("Paid search management", "advertising", "exempt"),
            ("Brochure design", "advertising", "exempt"),
            ("Trade show booth", "advertising", "taxable"),
        ),
        (200, 6000),
    ),
    Category(
        ("Wholesale", "Trading", "Supply"),
        (
            # Bought for resale: exempt on a resale certificate.
            ("Inventory purchase, widgets", "cost_of_sales", "exempt"),
            ("Packaging materials", "materials", "exempt"),
            ("Freight in", "carriage", "exempt"),
        ),
        (3, 300),
        50,
    ),
    Category(
        ("Insurance Agency",),
        (
            ("General liability insurance", "insurance", "exempt"),
            ("Professional liability insurance", "insurance", "exempt"),
        ),
        (250, 3000),
    ),
)

US_STREETS: Final = (
    "Main Street", "Broadway", "Market Street", "Oak Avenue", "Elm Street", "Madison Avenue",
    "Park Avenue", "Washington Street", "Lake Street", "2nd Avenue", "Pine Street",
)  # fmt: skip

US: Final = Locale(
    country="US",
    currency="USD",
    cities=(
        City("New York", "NY", "10013", "212"),
        City("New York", "NY", "10001", "212"),
        City("Brooklyn", "NY", "11201", "718"),
        City("Jersey City", "NJ", "07302", "201"),
        City("Chicago", "IL", "60601", "312"),
        City("Austin", "TX", "78701", "512"),
        City("San Francisco", "CA", "94105", "415"),
        City("Seattle", "WA", "98101", "206"),
        City("Boston", "MA", "02110", "617"),
        City("Denver", "CO", "80202", "303"),
    ),
    home_region="NY",
    streets=US_STREETS,
    # NANP keeps 555-0100 to 555-0199 for fiction in every area code.
    phones=("+1 {area} 555 01##",),
    suffixes=("Inc", "LLC", "Corp"),
    email_domain="com",
    first_names=FIRST_NAMES,
    surnames=SURNAMES,
    name_words=UK_NAME_WORDS,
    categories=US_CATEGORIES,
    tax_percent={"taxable": Decimal("8.875"), "exempt": Decimal(0), "none": Decimal(0)},
)

INDIA_NAME_WORDS: Final = (
    "Shree", "Sai", "Ganesh", "Lakshmi", "Sunrise", "Lotus", "Vishwa", "Bharat", "Kaveri", "Nandi",
    "Surya", "Navya", "Pragati", "Vayu", "Akash", "Balaji", "Trident", "Indus", "Ganga", "Tulsi",
    "Annapurna", "Chetan", "Deccan", "Himalaya", "Jyoti", "Kalpa", "Mahalakshmi", "Neel", "Pavan",
    "Sahyadri", "Shakti", "Udaya", "Vijaya", "Yamuna",
)  # fmt: skip
INDIA_FIRST_NAMES: Final = (
    "Priya", "Rahul", "Ananya", "Arjun", "Deepa", "Vikram", "Kavya", "Rohan", "Sneha", "Aditya",
    "Meera", "Karthik", "Divya", "Sanjay", "Lakshmi", "Nikhil", "Pooja", "Suresh", "Anjali",
    "Manoj", "Farhan", "Zoya", "Harpreet", "Gautam",
)  # fmt: skip
INDIA_SURNAMES: Final = (
    "Sharma", "Iyer", "Reddy", "Patel", "Nair", "Gupta", "Rao", "Menon", "Singh", "Kulkarni",
    "Das", "Joshi", "Mehta", "Pillai", "Banerjee", "Shetty", "Kumar", "Verma", "Agarwal",
    "Chatterjee", "Qureshi", "Fernandes",
)  # fmt: skip

# GST by class of supply: 5% (transport, economy travel), 12% (paper, mid-range hotels), 18% (most
# services and goods), 28%; electricity is outside GST, so its lines carry no tax ("none").
INDIA_CATEGORIES: Final = (
    Category(
        ("Stationers", "Office Solutions"),
        (
            ("A4 copier paper, 10 reams", "stationery", "gst12"),
            ("Toner cartridge, black", "stationery", "gst18"),
            ("Ball pens, box of 50", "stationery", "gst18"),
            ("Files and folders", "stationery", "gst12"),
        ),
        (300, 9000),
        10,
    ),
    Category(
        ("Infotech", "Systems", "Technologies"),
        (
            ("IT annual maintenance contract, monthly", "it_support", "gst18"),
            ("Microsoft 365 Business Standard licences", "software", "gst18"),
            ("Accounting software subscription", "software", "gst18"),
            ("Cloud backup, annual", "hosting", "gst18"),
        ),
        (2000, 150000),
        5,
    ),
    Category(
        ("Power", "Energy"),
        (
            ("Electricity charges, commercial", "utilities", "none"),
            ("DG set diesel", "utilities", "gst18"),
        ),
        (3000, 80000),
    ),
    Category(
        ("Telecom", "Broadband"),
        (
            ("Leased line internet, monthly", "telephone", "gst18"),
            ("Mobile postpaid plan", "telephone", "gst18"),
        ),
        (800, 40000),
        6,
    ),
    Category(
        ("& Associates", "Chartered Accountants"),
        (
            ("GST return filing, monthly", "accountancy", "gst18"),
            ("Statutory audit fee", "accountancy", "gst18"),
            ("TDS return filing, quarterly", "accountancy", "gst18"),
        ),
        (5000, 250000),
    ),
    Category(
        ("Legal Associates", "Advocates"),
        (
            ("Contract vetting", "legal", "gst18"),
            ("Trademark filing", "legal", "gst18"),
        ),
        (10000, 300000),
    ),
    Category(
        ("Estates", "Properties"),
        (
            ("Office rent, monthly", "rent", "gst18"),
            ("Building maintenance charges", "repairs", "gst18"),
        ),
        (25000, 500000),
    ),
    Category(
        ("Facility Services", "Housekeeping"),
        (
            ("Housekeeping services, monthly", "cleaning", "gst18"),
            ("Pest control", "cleaning", "gst18"),
        ),
        (3000, 60000),
    ),
    Category(
        ("Couriers", "Logistics"),
        (
            ("Courier charges", "postage", "gst18"),
            ("Goods transport, GTA", "carriage", "gst5"),
        ),
        (200, 30000),
        20,
    ),
    Category(
        ("Travels", "Tours and Travels"),
        (
            ("Flight tickets, Bengaluru to Delhi", "travel", "gst5"),
            ("Hotel stay, 2 nights", "accommodation", "gst12"),
            ("Cab hire, monthly", "travel", "gst5"),
        ),
        (2500, 120000),
        4,
    ),
    Category(
        ("Media", "Advertising"),
        (
            ("Digital marketing retainer", "advertising", "gst18"),
            ("Hoarding display, monthly", "advertising", "gst18"),
        ),
        (10000, 400000),
    ),
    Category(
        ("Traders", "Enterprises", "Industries"),
        (
            ("Raw material purchase", "cost_of_sales", "gst18"),
            ("Packaging material", "materials", "gst12"),
            ("Air conditioner, split", "materials", "gst28"),
        ),
        (150, 20000),
        50,
    ),
    Category(
        ("Insurance Brokers",),
        (
            ("Group health insurance premium", "insurance", "gst18"),
            ("Fire and burglary insurance", "insurance", "gst18"),
        ),
        (15000, 250000),
    ),
)

INDIA_STREETS: Final = (
    "MG Road", "Residency Road", "Brigade Road", "Church Street", "Station Road",
    "Nehru Nagar", "Gandhi Bazaar", "Industrial Area", "Ring Road", "Main Road",
)  # fmt: skip

INDIA: Final = Locale(
    country="IN",
    currency="INR",
    # (city, state, PIN code, STD code); the business is in Bengaluru, so most suppliers are too.
    cities=(
        City("Bengaluru", "Karnataka", "5600##", "80"),
        City("Bengaluru", "Karnataka", "5600##", "80"),
        City("Bengaluru", "Karnataka", "5601##", "80"),
        City("Mysuru", "Karnataka", "5700##", "821"),
        City("Mumbai", "Maharashtra", "4000##", "22"),
        City("Pune", "Maharashtra", "4110##", "20"),
        City("New Delhi", "Delhi", "1100##", "11"),
        City("Chennai", "Tamil Nadu", "6000##", "44"),
        City("Hyderabad", "Telangana", "5000##", "40"),
        City("Kolkata", "West Bengal", "7000##", "33"),
    ),
    home_region="Karnataka",
    streets=INDIA_STREETS,
    # India sets no numbers aside for fiction; no landline's subscriber number starts with 0.
    phones=("+91 {area} 0### ####",),
    suffixes=("Pvt Ltd", "LLP"),
    email_domain="co.in",
    first_names=INDIA_FIRST_NAMES,
    surnames=INDIA_SURNAMES,
    name_words=INDIA_NAME_WORDS,
    categories=INDIA_CATEGORIES,
    tax_percent={
        "gst5": Decimal(5),
        "gst12": Decimal(12),
        "gst18": Decimal(18),
        "gst28": Decimal(28),
        "none": Decimal(0),
    },
)
