"""The identifier lint flags what could identify a person and leaves clinical prose alone."""

from __future__ import annotations

import itertools

import pytest

from cardkb.identifiers import IdentifierHit, find_identifiers

# (text, kind, found): each text holds exactly one identifier.
POSITIVES: list[tuple[str, str, str]] = [
    # name after an honorific
    ("Last week Dr. Smith suggested a break.", "name after an honorific", "Dr. Smith"),
    ("Mrs Patel said it felt easier.", "name after an honorific", "Mrs Patel"),
    ("I spoke to Prof O'Neil yesterday.", "name after an honorific", "Prof O'Neil"),
    ("Ask Dr J. Smith about it.", "name after an honorific", "Dr J. Smith"),
    ("Then Dr. Will Smith called.", "name after an honorific", "Dr. Will Smith"),
    # email address
    ("Write to alice.jones@clinic.org if you need me.", "email address", "alice.jones@clinic.org"),
    (
        "My address is j_doe+therapy@mail.example.co.uk.",
        "email address",
        "j_doe+therapy@mail.example.co.uk",
    ),
    # phone number
    ("Call me on +44 20 7946 0000 any time.", "phone number", "+44 20 7946 0000"),
    ("Her number is (555) 123-4567.", "phone number", "(555) 123-4567"),
    ("Text 555-123-4567 tonight.", "phone number", "555-123-4567"),
    ("Ring 555.123.4567 after six.", "phone number", "555.123.4567"),
    ("The office is on 020 7946 0958.", "phone number", "020 7946 0958"),
    # date
    ("We first met on 2026-01-10.", "date", "2026-01-10"),
    ("Seen on 10/01/2026 for intake.", "date", "10/01/2026"),
    ("Seen on 1/10/26 for intake.", "date", "1/10/26"),
    ("Seen on 10.01.2026 for intake.", "date", "10.01.2026"),
    ("It started on January 10 after the move.", "date", "January 10"),
    ("It started on 10 January after the move.", "date", "10 January"),
    ("It started on the 10th of March 2024.", "date", "10th of March 2024"),
    ("It started on Jan 3 after the move.", "date", "Jan 3"),
    ("On May 3, 2025 you rang me.", "date", "May 3, 2025"),
    # age
    ("She was aged 34 at the time.", "age", "aged 34"),
    ("A 34-year-old teacher came in.", "age", "34-year-old"),
    ("He is 34 years old.", "age", "34 years old"),
    ("At age 34 everything changed.", "age", "age 34"),
    # record number
    ("Her MRN 483920 was on the letter.", "record number", "MRN 483920"),
    ("See record #1234 for details.", "record number", "record #1234"),
    ("This is case no. 77-1234, as agreed.", "record number", "case no. 77-1234"),
    ("His SSN is 123-45-6789.", "record number", "123-45-6789"),
    ("Reference 4839201 was on the form.", "record number", "4839201"),
    # street address
    ("She lives at 12 Baker Street now.", "street address", "12 Baker Street"),
    ("Send it to 221B Elm Rd, please.", "street address", "221B Elm Rd"),
    ("The clinic is at 4 Upper Mill Lane.", "street address", "4 Upper Mill Lane"),
    # postal code
    ("The ZIP is 12345-6789 there.", "postal code", "12345-6789"),
    ("They moved to SW1A 1AA last year.", "postal code", "SW1A 1AA"),
    ("The clinic is in M1 1AE.", "postal code", "M1 1AE"),
    # IP address
    ("The log showed 192.168.0.1 again.", "IP address", "192.168.0.1"),
    ("It came from 10.0.0.254.", "IP address", "10.0.0.254"),
    # URL
    ("Read https://example.org/my-story before we meet.", "URL", "https://example.org/my-story"),
    ("Her blog is www.example.org.", "URL", "www.example.org"),
    ("Look at example.com for the form.", "URL", "example.com"),
    ("It's on clinic.org.uk somewhere.", "URL", "clinic.org.uk"),
]


@pytest.mark.parametrize(("text", "kind", "found"), POSITIVES)
def test_flags_identifier(text: str, kind: str, found: str) -> None:
    hits = find_identifiers(text)

    assert [(hit.kind, hit.found) for hit in hits] == [(kind, found)]
    hit = hits[0]
    assert text[hit.start : hit.end] == found
    assert hit == IdentifierHit(text.index(found), text.index(found) + len(found), kind, found)


def test_every_kind_has_at_least_two_positive_cases() -> None:
    kinds = [kind for _, kind, _ in POSITIVES]

    assert len(set(kinds)) == 10
    assert all(kinds.count(kind) >= 2 for kind in kinds)


ORDINARY_PROSE = [
    "I wonder what you'd notice first if things got 1% better.",
    "On a scale from 0 to 10, where are you today?",
    "You've come for 6 sessions and I hear it still feels stuck.",
    "Part of you may be protecting you.",
    "Let's try 2 or 3 small steps this week.",
    "What happened at 3 a.m.?",
    "In May, you said things felt lighter.",
    "May I ask what you noticed?",
    "It might help to talk this through with your Dr.",
    "You mentioned this to your Dr. Then what happened?",
    "You mentioned this to your Dr.\nSomething shifted after that.",
    "Your score went from 18 to 12 in 3-4 sessions.",
    "You scored 12/40 on the questionnaire last time.",
    "Since 2013 you've managed this on your own.",
    "Between 2019-2021 you moved house twice.",
    "After 2 years of therapy, what feels different?",
    "In March things were harder, weren't they?",
    "Rate it 1-10, e.g. a 7 means quite a lot.",
    "Miss a day? That's okay; you can pick it up again.",
    "We could record 3 small wins each evening.",
    "In that case: 2 things to try.",
    "You kept that file 2019 to now, and never opened it.",
    "It's 9.30 now; shall we stop at 10.15?",
    "The 5-4-3-2-1 grounding exercise uses your senses.",
    "Breathe in for 4, hold for 7, out for 8.",
    "Is it available 24/7, or only 9-5?",
    "You said it took 20 minutes to fall asleep, down from 45.",
    "Anger at a 7 out of 10 is a lot to carry.",
    "Step 2: The Way Forward.",
    "When you were 7, who looked after you?",
    "Over 10 years you have found 1,000 ways to cope.",
    "Your PHQ-9 dropped to 8 and your GAD-7 to 6.",
]


@pytest.mark.parametrize("text", ORDINARY_PROSE)
def test_ordinary_therapy_prose_is_not_flagged(text: str) -> None:
    assert find_identifiers(text) == []


def test_place_names_are_out_of_scope() -> None:
    # A place name can identify a person, but catching place names in general is not attempted.
    assert find_identifiers("You grew up near St. Louis, didn't you?") == []


def test_urls_false_skips_urls_but_still_flags_email_addresses() -> None:
    text = "See https://example.org/notes/123456 or example.com, or write to alice@clinic.org."

    assert [(hit.kind, hit.found) for hit in find_identifiers(text, urls=False)] == [
        ("email address", "alice@clinic.org")
    ]
    assert [hit.kind for hit in find_identifiers(text)] == ["URL", "URL", "email address"]


def test_hits_are_sorted_and_do_not_overlap() -> None:
    text = (
        "Mrs Patel (MRN 483920, aged 34) of 12 Baker Street, SW1A 1AA, was seen on 2026-01-10; "
        "call +44 20 7946 0000 or email p.patel@example.com."
    )

    hits = find_identifiers(text)

    assert [hit.kind for hit in hits] == [
        "name after an honorific",
        "record number",
        "age",
        "street address",
        "postal code",
        "date",
        "phone number",
        "email address",
    ]
    assert [hit.start for hit in hits] == sorted(hit.start for hit in hits)
    assert all(before.end <= after.start for before, after in itertools.pairwise(hits))
    assert all(text[hit.start : hit.end] == hit.found for hit in hits)


def test_overlapping_candidates_yield_the_longest_leftmost_hit() -> None:
    # "483920" alone is also a record number, and the URL holds a date and a long number.
    assert [hit.found for hit in find_identifiers("MRN 483920")] == ["MRN 483920"]
    assert [hit.found for hit in find_identifiers("https://example.org/2024/01/10/123456")] == [
        "https://example.org/2024/01/10/123456"
    ]
