"""GB 32100-2015 unified social credit codes: the check character and the error messages."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from xizang5g.ecosystem import creditcode
from xizang5g.ecosystem.constants import USCC_ALPHABET, USCC_WEIGHTS


def by_hand(first17: str) -> str:
    """The standard's formula written out: C18 = 31 − mod(Σ Ci·Wi, 31), Wi = 3^(i−1) mod 31."""
    weights = [1]
    for _ in range(16):
        weights.append(weights[-1] * 3 % 31)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    value = 31 - total % 31
    return USCC_ALPHABET[0 if value == 31 else value]


def test_weights_are_the_standards():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(
    "first17",
    [
        "91350100M000100Y4",
        "91540100MA6T4B7X1",
        "12540000MB0P32617",
        "11540100MB1574265",
        "52540000MJY120418",
    ],
)
def test_valid_codes(first17):
    code = first17 + by_hand(first17)
    assert creditcode.check_character(first17) == by_hand(first17)
    assert creditcode.problem(code) is None
    creditcode.validate(code.lower())  # case and spaces do not matter
    creditcode.validate(" ".join([code[:6], code[6:]]))
    assert uscc.is_valid(code)  # python-stdnum, an independent implementation, agrees


def test_the_published_example():
    # The example printed in many guides to the standard.
    assert creditcode.problem("91350100M000100Y43") is None


def test_wrong_check_character_names_the_right_one():
    code = "91350100M000100Y4" + "4"
    message = creditcode.problem(code)
    assert "should be 3" in message
    assert not uscc.is_valid(code)
    with pytest.raises(ValidationError):
        creditcode.validate(code)


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y433", "18 characters"),
        ("91350100I000100Y43", "not allowed"),  # I is not in the alphabet
        ("91350100O000100Y43", "not allowed"),
        ("Z1350100M000100Y43", "not allowed"),
        ("X1350100M000100Y4" + "0", "registering authority"),
        ("9135A100M000100Y4" + "0", "digits"),
    ],
)
def test_invalid_codes(code, fragment):
    assert fragment in creditcode.problem(creditcode.normalise(code))


def test_every_single_character_change_is_caught():
    first17 = "91540100MA6T4B7X1"
    code = first17 + creditcode.check_character(first17)
    for position in range(8, 17):  # the organisation code part (any symbol allowed there)
        for symbol in USCC_ALPHABET:
            if symbol == code[position]:
                continue
            changed = code[:position] + symbol + code[position + 1 :]
            assert creditcode.problem(changed) is not None, changed
