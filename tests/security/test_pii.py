"""Personal-information detection: valid numbers found, look-alikes ignored, only masks kept."""

from xizang5g.security import simulate
from xizang5g.security.detection.pii import scan


def test_valid_ids_among_lookalikes():
    valid = simulate.valid_resident_ids(30, seed=9)
    lookalikes = simulate.invalid_lookalikes(valid)
    text = " ".join(lookalikes + valid + lookalikes)
    found = scan(text)
    assert sorted(m.value for m in found) == sorted(valid)
    assert {m.kind for m in found} == {"resident_id"}
    assert all(m.masked == m.value[:6] + "********" + m.value[-4:] for m in found)


def test_mobiles_cards_and_boundaries():
    found = scan(
        "联系 13912345678, +86 138-0013-8000? no: 12345678901 card 6222021234567890128 "
        "bad card 6222021234567890127 long 139123456789 order 20261123000001"
    )
    kinds = sorted((m.kind, m.masked) for m in found)
    assert ("mobile", "139****5678") in kinds
    assert ("bank_card", "622202*********0128") in kinds
    assert not any(m.value.endswith("0127") for m in found)  # Luhn fails
    assert not any(
        m.value == "139123456789" for m in found
    )  # 12 digits: no mobile inside a longer run
    assert len([k for k, _ in kinds if k == "mobile"]) == 1


def test_lower_case_x_check_character_and_no_digits():
    valid = simulate.valid_resident_ids(40, seed=5)
    with_x = next((v for v in valid if v.endswith("X")), None)
    if with_x:
        assert [m.value for m in scan(with_x.lower())] == [with_x]
    assert scan("nothing to see here") == []
