"""A believable online shop's customers and orders, generated from a fixed seed.

``generate()`` is pure: the same seed and reference day give the same data,
byte for byte. ``seed_database()`` writes it. Dates are relative to the
reference day so the demo always has orders in flight and some running late.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from crm_store import clock
from crm_store.models import Customer, Order, OrderEvent, OrderItem

DEFAULT_SEED = 20261123
DEFAULT_CUSTOMERS = 240
DEFAULT_ORDERS = 1200
ORDER_NUMBER_START = 100001

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Ethan",
    "Harper",
    "Benjamin",
    "Evelyn",
    "Henry",
    "Abigail",
    "Daniel",
    "Emily",
    "Michael",
    "Ella",
    "Sebastian",
    "Elena",
    "Jack",
    "Camila",
    "Owen",
    "Aria",
    "Samuel",
    "Chloe",
    "David",
    "Grace",
    "Joseph",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Yuki",
    "Hiro",
    "Fatima",
    "Omar",
    "Leila",
    "Tariq",
    "Amara",
    "Kwame",
    "Zanele",
    "Thabo",
    "Ingrid",
    "Lars",
    "Sofia",
    "Luca",
    "Chiara",
    "Marco",
    "Ana",
    "Diego",
    "Lucia",
    "Pablo",
    "Niamh",
    "Cian",
    "Aisling",
    "Rhys",
    "Freya",
    "Hamish",
    "Zoe",
    "Nathan",
    "Hannah",
    "Ryan",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Patel",
    "Shah",
    "Chen",
    "Wang",
    "Kim",
    "Park",
    "Tanaka",
    "Sato",
    "Okafor",
    "Mensah",
    "Novak",
    "Kowalski",
    "Jensen",
    "Larsen",
    "Rossi",
    "Bianchi",
    "Murphy",
    "O'Brien",
    "Fischer",
    "Weber",
    "Dubois",
    "Moreau",
    "Silva",
    "Costa",
]
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net")

# (city, region, postal prefix, country, phone prefix)
LOCATIONS = (
    ("Portland", "OR", "972", "US", "+1503"),
    ("Seattle", "WA", "981", "US", "+1206"),
    ("Austin", "TX", "787", "US", "+1512"),
    ("Denver", "CO", "802", "US", "+1303"),
    ("Chicago", "IL", "606", "US", "+1312"),
    ("Boston", "MA", "021", "US", "+1617"),
    ("Brooklyn", "NY", "112", "US", "+1718"),
    ("Atlanta", "GA", "303", "US", "+1404"),
    ("Minneapolis", "MN", "554", "US", "+1612"),
    ("San Diego", "CA", "921", "US", "+1619"),
    ("Oakland", "CA", "946", "US", "+1510"),
    ("Phoenix", "AZ", "850", "US", "+1602"),
    ("Raleigh", "NC", "276", "US", "+1919"),
    ("Nashville", "TN", "372", "US", "+1615"),
    ("Madison", "WI", "537", "US", "+1608"),
    ("Burlington", "VT", "054", "US", "+1802"),
    ("Toronto", "ON", "M5V", "CA", "+1416"),
    ("Vancouver", "BC", "V6B", "CA", "+1604"),
    ("London", "", "SW1", "GB", "+4420"),
    ("Manchester", "", "M1", "GB", "+44161"),
    ("Berlin", "", "101", "DE", "+4930"),
    ("Amsterdam", "", "101", "NL", "+3120"),
    ("Dublin", "", "D02", "IE", "+3531"),
)
STREETS = (
    "Maple Avenue",
    "Oak Street",
    "Cedar Lane",
    "Harbor Road",
    "Pine Street",
    "Elm Court",
    "Lakeview Drive",
    "Willow Way",
    "Birch Boulevard",
    "Hillcrest Road",
    "Riverside Drive",
    "Mill Street",
    "Park Place",
    "Sunset Terrace",
    "Chestnut Street",
    "Spruce Street",
    "Meadow Lane",
    "Orchard Row",
)
TIERS = (("standard", 60), ("silver", 22), ("gold", 12), ("vip", 6))

# (sku, name, price in cents)
CATALOGUE = (
    ("KIT-1001", "Cast Iron Skillet 10in", 3995),
    ("KIT-1002", "Stainless Steel Saucepan 2qt", 4950),
    ("KIT-1003", "Walnut Cutting Board", 5900),
    ("KIT-1004", "Chef's Knife 8in", 8900),
    ("KIT-1005", "Pour-Over Coffee Set", 3450),
    ("KIT-1006", "Enamel Dutch Oven 5.5qt", 11900),
    ("KIT-1007", "Bamboo Utensil Set", 1995),
    ("KIT-1008", "Glass Meal Prep Containers (10)", 2995),
    ("HOM-2001", "Linen Duvet Cover Queen", 12900),
    ("HOM-2002", "Wool Throw Blanket", 7900),
    ("HOM-2003", "Ceramic Table Lamp", 6450),
    ("HOM-2004", "Cotton Bath Towel Set", 4900),
    ("HOM-2005", "Scented Soy Candle", 1800),
    ("HOM-2006", "Oak Wall Shelf", 5500),
    ("HOM-2007", "Jute Area Rug 5x8", 14900),
    ("HOM-2008", "Stoneware Dinner Set (12)", 8900),
    ("OUT-3001", "Two-Person Backpacking Tent", 18900),
    ("OUT-3002", "Down Sleeping Bag 20F", 15900),
    ("OUT-3003", "Insulated Water Bottle 32oz", 3200),
    ("OUT-3004", "Camping Stove", 5900),
    ("OUT-3005", "Trekking Poles (pair)", 6900),
    ("OUT-3006", "Packable Down Jacket", 13900),
    ("OUT-3007", "Folding Camp Chair", 4500),
    ("OUT-3008", "LED Headlamp", 2400),
    ("OUT-3009", "Teak Outdoor Bench", 32900),
    ("OUT-3010", "Patio Furniture Cover", 3900),
    ("ELE-4001", "Wireless Earbuds", 7900),
    ("ELE-4002", "Bluetooth Speaker", 5900),
    ("ELE-4003", "Smart LED Bulb (4-pack)", 3900),
    ("ELE-4004", "Portable Power Bank 20000mAh", 4500),
    ("ELE-4005", "USB-C Fast Charger", 2500),
    ("ELE-4006", "Digital Kitchen Scale", 2200),
    ("ELE-4007", "Electric Kettle", 4900),
    ("ELE-4008", "Noise-Cancelling Headphones", 19900),
)

# status: (weight, min age in days, max age in days)
STATUS_PLAN = {
    "placed": (3, 0.0, 0.3),
    "paid": (3, 0.1, 0.9),
    "packed": (4, 0.6, 1.8),
    "shipped": (5, 1.0, 2.5),
    "in_transit": (8, 1.5, 4.0),
    "delayed": (5, 7.0, 16.0),
    "delivered": (53, 5.0, 180.0),
    "cancelled": (6, 1.0, 180.0),
    "returned": (6, 25.0, 180.0),
    "refunded": (7, 30.0, 180.0),
}
# shipping method: (business days promised, carriers)
METHODS_US = {
    "standard": (5, ("USPS", "UPS", "FedEx")),
    "expedited": (2, ("UPS", "FedEx")),
    "overnight": (1, ("UPS", "FedEx")),
}
METHOD_INTERNATIONAL = ("international", 10, ("DHL Express",))
DELAY_NOTES = (
    "Carrier reported a weather delay",
    "Held at the carrier's sorting facility",
    "Delivery attempt failed: address access",
    "Carrier capacity delay",
)


@dataclass
class DemoOrder:
    number: str
    status: str
    placed_at: datetime
    promised_date: date
    shipping_method: str
    carrier: str | None
    tracking_number: str | None
    delivered_at: datetime | None
    items: list[tuple[str, str, int, int]]  # sku, name, quantity, unit price
    events: list[tuple[str, datetime, str | None]]  # status, at, note

    @property
    def total_cents(self) -> int:
        return sum(quantity * price for _, _, quantity, price in self.items)


@dataclass
class DemoCustomer:
    first_name: str
    last_name: str
    email: str
    phone: str
    address_line1: str
    city: str
    region: str
    postal_code: str
    country: str
    tier: str
    tags: list[str]
    marketing_consent: bool
    created_at: datetime
    orders: list[DemoOrder] = field(default_factory=list)

    def ship_to(self) -> str:
        region = f", {self.region}" if self.region else ""
        return f"{self.first_name} {self.last_name}, {self.address_line1}, {self.city}{region} {self.postal_code}, {self.country}"


# Named customers the docs and tests refer to, with orders in known states (by position).
EXAMPLE_CUSTOMERS = (
    ("Maria", "Jensen", "maria.jensen@example.com", "gold", ("in_transit", "delivered", "delayed")),
    ("Tom", "Becker", "tom.becker@example.net", "standard", ("shipped", "returned")),
    ("Aiko", "Tanaka", "aiko.tanaka@example.org", "vip", ("delayed", "placed", "delivered")),
)


def generate(
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    orders: int = DEFAULT_ORDERS,
    today: date | None = None,
) -> list[DemoCustomer]:
    """Customers with their orders; order numbers rise with the time they were placed."""
    if customers < len(EXAMPLE_CUSTOMERS) or orders < customers:
        raise ValueError(f"need at least {len(EXAMPLE_CUSTOMERS)} customers and one order per customer")
    rng = random.Random(seed)
    now = datetime.combine(today or clock.today(), time(12, 0), tzinfo=timezone.utc)
    people = [_customer(rng, index, now) for index in range(customers)]

    plans: list[tuple[DemoCustomer, str]] = []
    for person, (*_, statuses) in zip(people, EXAMPLE_CUSTOMERS, strict=False):
        plans.extend((person, status) for status in statuses)
    statuses, weights = zip(*((status, plan[0]) for status, plan in STATUS_PLAN.items()), strict=False)
    # Every customer gets at least one order; the rest go to random customers.
    for person in people[len(EXAMPLE_CUSTOMERS) :]:
        plans.append((person, rng.choices(statuses, weights)[0]))
    while len(plans) < orders:
        plans.append((rng.choice(people[len(EXAMPLE_CUSTOMERS) :]), rng.choices(statuses, weights)[0]))

    built = [(person, _order(rng, person, status, now)) for person, status in plans]
    built.sort(key=lambda pair: pair[1].placed_at)
    for offset, (person, order) in enumerate(built):
        order.number = f"HP-{ORDER_NUMBER_START + offset}"
        person.orders.append(order)
    return people


def _customer(rng: random.Random, index: int, now: datetime) -> DemoCustomer:
    city, region, postal_prefix, country, phone_prefix = rng.choice(LOCATIONS)
    if index < len(EXAMPLE_CUSTOMERS):
        first, last, email, tier, _ = EXAMPLE_CUSTOMERS[index]
        city, region, postal_prefix, country, phone_prefix = LOCATIONS[index]
    else:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = f"{first}.{last}".lower().replace("'", "")
        email = f"{handle}{index}@{rng.choice(EMAIL_DOMAINS)}"
        tier = rng.choices([name for name, _ in TIERS], [weight for _, weight in TIERS])[0]
    # The index keeps phone numbers unique; 555 exchanges are reserved for fiction.
    phone = f"{phone_prefix}555{index:04d}"
    postal_code = postal_prefix + (f"{rng.randint(0, 99):02d}" if country == "US" else f" {rng.randint(1, 9)}AB")
    tags = sorted(rng.sample(["newsletter", "student", "b2b", "gift-buyer", "outdoor", "kitchen"], rng.randint(0, 2)))
    return DemoCustomer(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        address_line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        tier=tier,
        tags=tags,
        marketing_consent=rng.random() < 0.45,
        created_at=now - timedelta(days=rng.uniform(200, 1500)),
    )


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _promised_date(placed_at: datetime, business_days: int) -> date:
    # Orders after 2 pm Eastern (19:00 UTC) ship the next business day.
    if placed_at.hour < 19 and placed_at.weekday() < 5:
        ship_day = placed_at.date()
    else:
        ship_day = _add_business_days(placed_at.date(), 1)
    return _add_business_days(ship_day, business_days)


def _tracking_number(rng: random.Random, carrier: str) -> str:
    digits: Callable[[int], str] = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    if carrier == "FedEx":
        return digits(12)
    if carrier == "USPS":
        return "9400" + digits(18)
    return digits(10)


def _order(rng: random.Random, person: DemoCustomer, status: str, now: datetime) -> DemoOrder:
    _, min_age, max_age = STATUS_PLAN[status]
    placed_at = now - timedelta(days=rng.uniform(min_age, max_age), seconds=rng.randint(0, 3600))
    if person.country == "US":
        method = rng.choices(list(METHODS_US), [75, 18, 7])[0]
        promised_days, carriers = METHODS_US[method]
    else:
        method, promised_days, carriers = METHOD_INTERNATIONAL
    carrier = rng.choice(carriers)
    promised_date = _promised_date(placed_at, promised_days)
    while status == "delayed" and promised_date >= now.date():
        # A delayed order is one already past its promised date; slow methods need an older order.
        placed_at -= timedelta(days=1)
        promised_date = _promised_date(placed_at, promised_days)

    picks = rng.sample(CATALOGUE, rng.choices([1, 2, 3, 4], [50, 30, 14, 6])[0])
    items = [(sku, name, rng.choices([1, 2, 3], [85, 12, 3])[0], price) for sku, name, price in picks]

    events: list[tuple[str, datetime, str | None]] = [("placed", placed_at, None)]
    clock = placed_at

    def step(next_status: str, low_hours: float, high_hours: float, note: str | None = None) -> None:
        nonlocal clock
        clock = min(clock + timedelta(hours=rng.uniform(low_hours, high_hours)), now - timedelta(minutes=5))
        events.append((next_status, clock, note))

    path = _status_path(rng, status)
    delivered_at: datetime | None = None
    for next_status in path:
        if next_status == "paid":
            step("paid", 0.01, 0.2)
        elif next_status == "packed":
            step("packed", 2, 14)
        elif next_status == "shipped":
            step("shipped", 1, 8)
        elif next_status == "in_transit":
            step("in_transit", 3, 14)
        elif next_status == "delayed":
            late = datetime.combine(promised_date, time(22, 0), tzinfo=timezone.utc)
            clock = max(clock, min(late, now - timedelta(hours=1)) - timedelta(minutes=1))
            step("delayed", 0.01, 0.5, rng.choice(DELAY_NOTES))
        elif next_status == "delivered":
            deadline = datetime.combine(promised_date, time(20, 0), tzinfo=timezone.utc)
            late_by = timedelta(days=rng.choice([1, 2])) if rng.random() < 0.08 else timedelta(0)
            target = min(deadline + late_by, now - timedelta(hours=1))
            hours = max((target - clock).total_seconds() / 3600, 0.5)
            step("delivered", hours * 0.6, hours)
            delivered_at = clock
        elif next_status == "cancelled":
            step("cancelled", 0.2, 10, rng.choice(("Customer request", "Payment declined", "Item out of stock")))
        elif next_status == "returned":
            step(
                "returned",
                24 * 3,
                24 * 20,
                rng.choice(("Did not fit", "Changed my mind", "Arrived damaged", "Wrong colour")),
            )
        elif next_status == "refunded":
            step("refunded", 24 * 2, 24 * 7)
    shipped = any(event_status == "shipped" for event_status, _, _ in events)
    return DemoOrder(
        number="",
        status=status,
        placed_at=placed_at,
        promised_date=promised_date,
        shipping_method=method,
        carrier=carrier if shipped else None,
        tracking_number=_tracking_number(rng, carrier) if shipped else None,
        delivered_at=delivered_at,
        items=items,
        events=events,
    )


def _status_path(rng: random.Random, status: str) -> list[str]:
    """The statuses after ``placed`` that lead to ``status``."""
    forward = ["paid", "packed", "shipped", "in_transit", "delivered"]
    if status == "placed":
        return []
    if status in forward:
        return forward[: forward.index(status) + 1]
    if status == "delayed":
        return forward[:4] + ["delayed"]
    if status == "cancelled":
        return (["paid"] if rng.random() < 0.6 else []) + ["cancelled"]
    if status == "returned":
        return forward + ["returned"]
    if status == "refunded":
        return ["paid", "cancelled", "refunded"] if rng.random() < 0.25 else forward + ["returned", "refunded"]
    raise ValueError(f"unknown order status {status!r}")


async def seed_database(session: AsyncSession, people: list[DemoCustomer]) -> tuple[int, int]:
    """Write the generated customers and orders; returns (customers, orders) added."""
    order_count = 0
    for person in people:
        customer = Customer(
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=person.phone,
            address_line1=person.address_line1,
            city=person.city,
            region=person.region or None,
            postal_code=person.postal_code,
            country=person.country,
            tier=person.tier,
            tags=person.tags,
            marketing_consent=person.marketing_consent,
            created_at=person.created_at,
            updated_at=person.created_at,
        )
        for demo in person.orders:
            customer.orders.append(
                Order(
                    number=demo.number,
                    status=demo.status,
                    placed_at=demo.placed_at,
                    promised_date=demo.promised_date,
                    delivered_at=demo.delivered_at,
                    carrier=demo.carrier,
                    tracking_number=demo.tracking_number,
                    shipping_method=demo.shipping_method,
                    ship_to=person.ship_to(),
                    total_cents=demo.total_cents,
                    updated_at=demo.events[-1][1],
                    items=[
                        OrderItem(sku=sku, name=name, quantity=quantity, unit_price_cents=price)
                        for sku, name, quantity, price in demo.items
                    ],
                    events=[OrderEvent(status=status, at=at, note=note) for status, at, note in demo.events],
                )
            )
            order_count += 1
        session.add(customer)
    await session.flush()
    return len(people), order_count
