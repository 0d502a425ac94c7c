"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division
code (6 digits), organisation code (9) and a check character (1). The alphabet is the digits
and the capital letters without I, O, S, V and Z; the check character makes the weighted sum
of all 18 values divisible by 31.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalize_uscc(value: str) -> str:
    """Upper-case and strip spaces, as people type and paste codes."""
    return "".join(str(value).split()).upper()


def uscc_check_character(first17: str) -> str:
    """The check character for the first 17 characters (which must be in the alphabet)."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Raise ValidationError saying exactly what is wrong with a code."""
    code = normalize_uscc(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUES:
            raise ValidationError(
                _(
                    "Character %(position)d (“%(char)s”) is not allowed: a unified social credit code uses "
                    "digits and capital letters except I, O, S, V and Z."
                ),
                code="uscc_character",
                params={"position": position, "char": ch},
            )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 must be the six-digit administrative division code; “%(part)s” is not."),
            code="uscc_division",
            params={"part": code[2:8]},
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character (the last one) should be “%(expected)s”, not “%(got)s”: "
                "a character was probably mistyped."
            ),
            code="uscc_check",
            params={"expected": expected, "got": code[17]},
        )


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True
