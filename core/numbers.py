"""One way to read numbers and money that come from outside: forms, API fields, CSV cells, query
parameters and webhook bodies.

Every value is checked *before* anything converts it, so no input can make the server do unbounded
work (``int(Decimal("1e600000"))`` takes minutes) or hand the database a number its column cannot
hold (a 500):

- text is at most ``MAX_TEXT`` characters, in plain decimal notation: ASCII digits, an optional sign
  and at most one decimal point. No exponent (``1e5``), no ``Infinity``/``NaN``, no ``_`` or other
  scripts' digits;
- a whole number lies within the bounds given, by default those of an ``IntegerField`` column on every
  database (``INT32_MIN``..``INT32_MAX``; a ``PositiveIntegerField`` passes ``min_value=0``);
- a decimal has at most ``decimal_places`` places (more is refused, never rounded away) and fits a
  ``DecimalField(max_digits, decimal_places)`` column.

``parse_int``, ``parse_decimal`` and ``parse_money`` return the value or raise Django's
``ValidationError`` with a message a person can act on and a code (``required``, ``too_long``,
``invalid``, ``max_decimal_places``, ``min_value``, ``max_value``). They also accept ``int``,
``Decimal`` and ``float`` values already parsed by someone else (a JSON body, DRF) and bound them the
same way. ``fits_decimal`` says whether a computed value (a unit price) fits its column.

``IntegerField``/``DecimalField`` (forms) and ``ApiIntegerField``/``ApiDecimalField`` (DRF) read
their input with these functions; an integer field is bounded like its column unless told otherwise.
"""

import math
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

MAX_TEXT = 40
INT32_MIN = -2_147_483_648
INT32_MAX = 2_147_483_647  # IntegerField and PositiveIntegerField hold at most this on every database
BIGINT_MAX = 9_223_372_036_854_775_807  # BigAutoField ids
# Decimal's default context keeps 28 significant digits: a column wider than that cannot be checked
# by quantizing, and none of ours is.
MAX_DIGITS = 28

_INT_TEXT = re.compile(r"[+-]?[0-9]+(?:\.0*)?\Z")  # "12.0" too, as Django's IntegerField reads it
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


def _text(value) -> str:
    """``value`` as bounded text, or ValidationError."""
    text = value.strip() if isinstance(value, str) else str(value)
    if not text:
        raise ValidationError(_("Enter a number."), code="required")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("Enter a number of at most %(n)d characters.") % {"n": MAX_TEXT}, code="too_long"
        )
    return text


def _finite_decimal(value, *, whole: bool) -> Decimal:
    """``value`` (text, int, Decimal or float) as a finite Decimal of bounded size, before any
    arithmetic on it."""
    invalid = ValidationError(
        _("Enter a whole number, e.g. 12.") if whole else _("Enter a number in plain digits, e.g. 49.90."),
        code="invalid",
    )
    if value is None or isinstance(value, bool):
        raise ValidationError(_("Enter a number."), code="required") if value is None else invalid
    if isinstance(value, int):
        if value.bit_length() > 4 * MAX_TEXT:  # str() of a huge int is itself slow
            raise ValidationError(_("This number is too large."), code="max_value")
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise invalid
        value = repr(value)  # 1e+30 then fails the notation check below, as typed text would
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise invalid
        if value.adjusted() > MAX_TEXT:
            raise ValidationError(_("This number is too large."), code="max_value")
        if value.adjusted() < -MAX_TEXT:
            raise ValidationError(_("This number has too many decimal places."), code="max_decimal_places")
        return value
    if not isinstance(value, str):
        raise invalid
    text = _text(value)
    if not (_INT_TEXT if whole else _DECIMAL_TEXT).match(text):
        raise invalid
    return Decimal(text)


def _bounded(number: Decimal, *, min_value, max_value) -> None:
    if min_value is not None and number < min_value:
        raise ValidationError(
            _("Enter a number no less than %(limit)s.") % {"limit": min_value}, code="min_value"
        )
    if max_value is not None and number > max_value:
        raise ValidationError(
            _("Enter a number no more than %(limit)s.") % {"limit": max_value}, code="max_value"
        )


def parse_int(value, *, min_value: int | None = INT32_MIN, max_value: int | None = INT32_MAX) -> int:
    """A whole number from ``value`` ("12", " 12 ", "+12", "12.0", 12; not "12.5", "1e3" or "١٢"), within
    [``min_value``, ``max_value``] (by default what an IntegerField column holds). Pass ``None`` for
    a side only when the caller bounds it otherwise: the text length still does."""
    number = _finite_decimal(value, whole=True)
    if number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number, e.g. 12."), code="invalid")
    _bounded(number, min_value=min_value, max_value=max_value)
    return int(number)


def decimal_limit(*, max_digits: int, decimal_places: int) -> Decimal:
    """The largest value a ``DecimalField(max_digits, decimal_places)`` column holds (99999999.99 for 10, 2)."""
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)


def fits_decimal(value: Decimal | int, *, max_digits: int, decimal_places: int) -> bool:
    """Whether ``value`` (parsed or computed, e.g. a unit price) can be stored in a
    ``DecimalField(max_digits, decimal_places)`` column once rounded to its places."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value) if value.bit_length() <= 4 * MAX_TEXT else Decimal("Infinity")
    if not isinstance(value, Decimal) or not value.is_finite() or value.adjusted() > MAX_DIGITS:
        return False
    return abs(value) <= decimal_limit(max_digits=max_digits, decimal_places=decimal_places)


def parse_decimal(
    value,
    *,
    max_digits: int,
    decimal_places: int,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> Decimal:
    """A decimal from ``value`` ("49.9", "49.90", ".5"; not "1e3", "NaN" or "49.901" for two places)
    that a ``DecimalField(max_digits, decimal_places)`` column holds, within [``min_value``,
    ``max_value``] when given. Returned with exactly ``decimal_places`` places."""
    if not 0 <= decimal_places <= max_digits <= MAX_DIGITS:
        raise ValueError("0 <= decimal_places <= max_digits <= 28")
    number = _finite_decimal(value, whole=False)
    limit = decimal_limit(max_digits=max_digits, decimal_places=decimal_places)
    upper = limit if max_value is None else min(Decimal(max_value), limit)
    lower = -limit if min_value is None else max(Decimal(min_value), -limit)
    _bounded(number, min_value=lower, max_value=upper)
    # Bounded now, so quantizing stays within Decimal's 28 digits.
    step = Decimal(1).scaleb(-decimal_places)
    if number != number.quantize(step):
        raise ValidationError(
            _("Enter at most %(n)d decimal places.") % {"n": decimal_places}, code="max_decimal_places"
        )
    return number.quantize(step)


def parse_money(
    value,
    *,
    max_digits: int = 12,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> Decimal:
    """A yuan amount: ``parse_decimal`` with two places (max_digits 12, as ``orders.models.MONEY``)."""
    return parse_decimal(
        value, max_digits=max_digits, decimal_places=2, min_value=min_value, max_value=max_value
    )


# --- Form and serializer fields ----------------------------------------------------------------------


class IntegerField(forms.IntegerField):
    """A form's whole number read by ``parse_int``, bounded like an IntegerField column unless told
    otherwise (a PositiveIntegerField's form passes ``min_value=0``)."""

    def __init__(self, *, min_value: int = INT32_MIN, max_value: int = INT32_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return parse_int(value, min_value=self.min_value, max_value=self.max_value)


class DecimalField(forms.DecimalField):
    """A form's decimal read by ``parse_decimal``: ``max_digits`` and ``decimal_places`` as its column."""

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return parse_decimal(
            value,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            min_value=self.min_value,
            max_value=self.max_value,
        )


def _as_drf(exc: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.messages, code=exc.error_list[0].code)


class ApiIntegerField(serializers.IntegerField):
    """An API's whole number read by ``parse_int``, bounded like an IntegerField column unless told otherwise."""

    def __init__(self, *, min_value: int = INT32_MIN, max_value: int = INT32_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_internal_value(self, data):
        try:
            return parse_int(data, min_value=self.min_value, max_value=self.max_value)
        except ValidationError as exc:
            raise _as_drf(exc) from None


class ApiDecimalField(serializers.DecimalField):
    """An API's decimal read by ``parse_decimal`` (a JSON number or a string in plain notation)."""

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_internal_value(self, data):
        try:
            return parse_decimal(
                data,
                max_digits=self.max_digits,
                decimal_places=self.decimal_places,
                min_value=self.min_value,
                max_value=self.max_value,
            )
        except ValidationError as exc:
            raise _as_drf(exc) from None
