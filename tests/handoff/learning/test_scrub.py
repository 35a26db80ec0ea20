"""Scrubbing personal data: 500 synthetic transcripts carrying the demo shop's real customers' details."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from crm_store.demo_data import generate
from handoff.learning.scrub import Scrubber

PEOPLE = generate(today=date(2026, 11, 23))
TEMPLATES = (
    "Hi, my name is {name} and my email is {email}. Where is order {order}?",
    "this is {lower_name}, i moved to {address}, {city} {postcode}. phone {phone_dashes}",
    "Please call me on {phone_parens} or {phone}, thanks. {first}",
    "I'm {name}. Card {card} was charged twice for {order}!!",
    "ship it to {address} please ({name}, {email_upper})",
    "Regards, {name}\nTracking {tracking} hasn't moved",
    "can {first} {last} get a refund? contact {email} / {phone_spaces}",
    "hello its {lower_name} again, my number changed to {phone}",
)


def phone_formats(phone: str) -> dict[str, str]:
    digits = phone[-10:]
    return {
        "phone": phone,
        "phone_dashes": f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
        "phone_parens": f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
        "phone_spaces": f"{digits[:3]} {digits[3:6]} {digits[6:]}",
    }


def transcripts(count: int = 500) -> list[tuple[str, object]]:
    rng = random.Random(11)
    made = []
    for _ in range(count):
        person = rng.choice(PEOPLE)
        order = rng.choice(person.orders)
        values = {
            "name": f"{person.first_name} {person.last_name}",
            "lower_name": f"{person.first_name} {person.last_name}".lower(),
            "first": person.first_name,
            "last": person.last_name,
            "email": person.email,
            "email_upper": person.email.upper(),
            "address": person.address_line1,
            "city": person.city,
            "postcode": person.postal_code,
            "order": order.number,
            "tracking": order.tracking_number or "1Z999AA10123456784",
            "card": "4111 1111 1111 1111",
            **phone_formats(person.phone),
        }
        made.append((rng.choice(TEMPLATES).format(**values), person))
    return made


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber.with_names(f"{p.first_name} {p.last_name}" for p in PEOPLE)


def test_no_personal_detail_survives_in_500_transcripts(scrubber: Scrubber) -> None:
    leaks = []
    for text, person in transcripts():
        clean = scrubber.scrub(text).lower()
        digits = re.sub(r"\D", "", clean)
        secrets = [
            f"{person.first_name} {person.last_name}".lower(),
            person.email.lower(),
            person.address_line1.lower(),
            person.phone[-10:],
            "4111111111111111",
        ]
        found = [s for s in secrets if s in clean or (s.isdigit() and s in digits)]
        found += [o.number.lower() for o in person.orders if o.number.lower() in clean]
        if found:
            leaks.append((text, clean, found))
    assert leaks == [], leaks[:5]


def test_ordinary_questions_are_left_readable(scrubber: Scrubber) -> None:
    for question in (
        "how long do refunds take?",
        "can i return a green tent after 30 days",
        "do you ship to canada and how much is it",
        "my order arrived damaged, what now",
    ):
        assert scrubber.scrub(question) == question


def test_placeholders_keep_the_sentence_shape(scrubber: Scrubber) -> None:
    assert scrubber.scrub("I'm Maria Jensen, email maria.jensen@example.com, order HP-100996") == (
        "I'm [NAME], email [EMAIL], order [ORDER]"
    )
