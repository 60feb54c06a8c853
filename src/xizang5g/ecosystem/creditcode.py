"""统一社会信用代码 (unified social credit code), GB 32100-2015: normalising and checking."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xizang5g.ecosystem.constants import USCC_ALPHABET, USCC_AUTHORITIES, USCC_WEIGHTS


def normalise(code: str) -> str:
    return "".join(str(code or "").split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (all in the code's alphabet)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with `code` (already normalised), or None when it is valid."""
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has %(n)d.") % {
            "n": len(code)
        }
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return _("Characters not allowed in a unified social credit code: %(chars)s.") % {
            "chars": " ".join(bad)
        }
    if code[0] not in USCC_AUTHORITIES:
        return _(
            "The first character (registering authority) %(c)s is not one GB 32100 defines."
        ) % {"c": code[0]}
    if not code[2:8].isdigit():
        return _("Characters 3 to 8 must be the digits of an administrative division code.")
    expected = check_character(code[:17])
    if code[17] != expected:
        return _(
            "The check character is %(got)s but should be %(want)s: please check the code."
        ) % {
            "got": code[17],
            "want": expected,
        }
    return None


def validate(code: str) -> None:
    message = problem(normalise(code))
    if message:
        raise ValidationError(message, code="uscc")
