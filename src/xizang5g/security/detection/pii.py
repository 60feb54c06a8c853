"""Personal-information detection in payloads and log lines.

- Resident identity numbers (GB 11643-1999): 18 characters, the last a MOD 11-2 check character;
  birth date and administrative region (first six digits) must be valid — python-stdnum `cn.ric`
  checks all three (region via its bundled GB/T 2260 table).
- Mobile numbers (mainland China, optionally +86/86): validated by Google's libphonenumber
  (`phonenumbers`), number type MOBILE (or fixed-line-or-mobile).
- Bank card numbers: 16–19 digits passing the Luhn check (ISO/IEC 7812), issuer prefix 2–6.

Candidates are maximal digit runs, so a number inside a longer run is never taken out of it. The known
overlap — an 18-digit resident ID number that also passes Luhn — is resolved in favour of the ID number
when it is a valid ID (check character, date and region); an 18-digit run with a valid region code and a
19xx/20xx birth year that fails the ID checks is an invalid ID look-alike, not a card.
Findings carry only a masked value and a keyed fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn, numdb
from stdnum.cn import ric

from xizang5g.security.choices import PiKind

# Digit runs (ID numbers may end in X), optionally prefixed by a +86 country code for mobiles.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?\d[\d]{10,18}[Xx]?(?![0-9A-Za-z])")
_QUICK = re.compile(r"\d{11}")


@dataclass(frozen=True)
class PiMatch:
    kind: str
    value: str  # never stored; used for the fingerprint
    masked: str
    start: int


def mask(kind: str, value: str) -> str:
    if kind == PiKind.RESIDENT_ID:
        return value[:6] + "********" + value[-4:]
    if kind == PiKind.MOBILE:
        return value[:3] + "****" + value[-4:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _is_resident_id(digits: str) -> bool:
    if len(digits) != 18:
        return False
    if not ric.is_valid(digits):
        return False
    try:
        return ric.get_birth_place(digits) is not None
    except Exception:  # stdnum raises InvalidComponent for unknown regions
        return False


def _id_structure(digits: str) -> bool:
    """Shaped like an ID number: a valid region code and a 19xx/20xx birth year (whatever the rest)."""
    if len(digits) != 18 or not digits[:17].isdigit() or digits[6:8] not in ("19", "20"):
        return False
    return _known_region(digits[:6])


def _known_region(code: str) -> bool:
    """The six digits are an administrative region code in python-stdnum's GB/T 2260 table."""
    results = numdb.get("cn/loc").info(code)
    return any(props for _part, props in results)


def _is_mobile(digits: str) -> bool:
    if len(digits) != 11 or digits[0] != "1":
        return False
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _is_bank_card(digits: str) -> bool:
    return (
        16 <= len(digits) <= 19
        and digits.isdigit()
        and digits[0] in "23456"
        and luhn.is_valid(digits)
    )


def scan(text: str) -> list[PiMatch]:
    """All personal-information values in `text`, classified, with masked forms."""
    if not text or _QUICK.search(text) is None:
        return []
    found: list[PiMatch] = []
    for match in _CANDIDATE.finditer(text):
        token = match.group(0)
        country = re.match(r"^\+?86[- ]?", token)
        body = token[country.end() :] if country else token
        body_upper = body.upper()
        if _is_resident_id(body_upper):
            found.append(
                PiMatch(
                    PiKind.RESIDENT_ID,
                    body_upper,
                    mask(PiKind.RESIDENT_ID, body_upper),
                    match.start(),
                )
            )
            continue
        if _is_mobile(body):
            found.append(PiMatch(PiKind.MOBILE, body, mask(PiKind.MOBILE, body), match.start()))
            continue
        digits = token if token.isdigit() else body
        if len(digits) == 18 and _id_structure(digits):
            continue  # an invalid ID look-alike, not a card
        if _is_bank_card(digits):
            found.append(
                PiMatch(PiKind.BANK_CARD, digits, mask(PiKind.BANK_CARD, digits), match.start())
            )
    return found
