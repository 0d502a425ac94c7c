"""core.numbers: numbers from outside are checked before anything converts them, and bounded as columns."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework import serializers

from core.numbers import (
    INT32_MAX,
    MAX_TEXT,
    ApiDecimalField,
    ApiIntegerField,
    DecimalField,
    IntegerField,
    decimal_limit,
    fits_decimal,
    parse_decimal,
    parse_int,
    parse_money,
)


def _refusal(parse, value, **kwargs) -> tuple[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        parse(value, **kwargs)
    return info.value.code, info.value.messages


@pytest.mark.parametrize(
    "value,expected", [("12", 12), (" 12 ", 12), ("+12", 12), ("12.0", 12), ("-3", -3), (12, 12), (2.0, 2)]
)
def test_parse_int_reads_plain_whole_numbers(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    "value,code",
    [
        ("1e600000", "invalid"),
        ("Infinity", "invalid"),
        ("NaN", "invalid"),
        ("12.5", "invalid"),
        ("1_000", "invalid"),
        ("١٢", "invalid"),  # other scripts' digits, which int() would take
        ("0x10", "invalid"),
        (True, "invalid"),
        (None, "required"),
        ("", "required"),
        ("1" * (MAX_TEXT + 1), "too_long"),
        (str(INT32_MAX + 1), "max_value"),
        pytest.param(10**5000, "max_value", id="int-of-5001-digits"),
        (Decimal("1e600000"), "max_value"),
        (float("inf"), "invalid"),
    ],
)
def test_parse_int_refuses_before_converting(value, code):
    assert _refusal(parse_int, value)[0] == code


def test_a_huge_exponent_is_refused_before_any_conversion():
    """``int(Decimal("1e600000"))`` takes minutes: each of these is refused by a check that runs first
    (the notation, the text's length, the Decimal's exponent), as the codes show. No clock is read."""
    refused_by = {"1e600000": "invalid", Decimal("1e600000"): "max_value", "9" * 10**6: "too_long"}
    for value, code in refused_by.items():
        assert _refusal(parse_int, value)[0] == code
        assert _refusal(parse_money, value)[0] == code


def test_bounds_and_their_messages():
    assert parse_int(str(INT32_MAX)) == INT32_MAX
    assert _refusal(parse_int, "-1", min_value=0) == ("min_value", ["Enter a number no less than 0."])
    assert _refusal(parse_int, "2147483648") == ("max_value", ["Enter a number no more than 2147483647."])
    assert parse_int("9" * 30, min_value=1, max_value=None) == int("9" * 30)


@pytest.mark.parametrize(
    "value,expected",
    [("49.9", "49.90"), ("49.900", "49.90"), (".5", "0.50"), (0.1, "0.10"), (Decimal("3"), "3.00")],
)
def test_parse_money_reads_plain_amounts_with_two_places(value, expected):
    assert parse_money(value) == Decimal(expected)
    assert str(parse_money(value)) == expected


@pytest.mark.parametrize(
    "value,code,message",
    [
        ("1e99999", "invalid", "Enter a number in plain digits, e.g. 49.90."),
        ("-Infinity", "invalid", "Enter a number in plain digits, e.g. 49.90."),
        (1e30, "invalid", "Enter a number in plain digits, e.g. 49.90."),  # a JSON float in exponent form
        (Decimal("NaN"), "invalid", "Enter a number in plain digits, e.g. 49.90."),
        ("49.901", "max_decimal_places", "Enter at most 2 decimal places."),
        ("10000000000.00", "max_value", "Enter a number no more than 9999999999.99."),
        ("0", "min_value", "Enter a number no less than 0.01."),
    ],
)
def test_parse_money_refuses_what_a_money_column_cannot_hold(value, code, message):
    assert _refusal(parse_money, value, min_value=Decimal("0.01")) == (code, [message])


def test_parse_decimal_is_bounded_by_its_column():
    assert parse_decimal("9999999.999", max_digits=10, decimal_places=3) == Decimal("9999999.999")
    assert _refusal(parse_decimal, "10000000", max_digits=10, decimal_places=3)[0] == "max_value"
    assert _refusal(parse_decimal, "5", max_digits=10, decimal_places=2, max_value=4)[0] == "max_value"
    with pytest.raises(ValueError):
        parse_decimal("1", max_digits=40, decimal_places=2)


def test_fits_decimal_says_whether_a_computed_value_can_be_stored():
    assert decimal_limit(max_digits=12, decimal_places=2) == Decimal("9999999999.99")
    assert fits_decimal(Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    assert not fits_decimal(Decimal("9999999999.995"), max_digits=12, decimal_places=2)
    assert not fits_decimal(Decimal("1e99999"), max_digits=12, decimal_places=2)
    assert not fits_decimal(Decimal("NaN"), max_digits=12, decimal_places=2)
    assert fits_decimal(5, max_digits=3, decimal_places=0) and not fits_decimal(
        10**500, max_digits=3, decimal_places=0
    )


class _Form(forms.Form):
    count = IntegerField(min_value=0, required=False)
    price = DecimalField(max_digits=10, decimal_places=2, required=False)


def test_form_fields_read_with_the_parsers_and_are_bounded_as_columns():
    with translation.override("en"):
        form = _Form({"count": "2147483648", "price": "1e3"})
        assert not form.is_valid()
        assert form.errors == {
            "count": ["Enter a number no more than 2147483647."],
            "price": ["Enter a number in plain digits, e.g. 49.90."],
        }
    form = _Form({"count": " ", "price": "49.9"})
    assert form.is_valid() and form.cleaned_data == {"count": None, "price": Decimal("49.90")}


class _Serializer(serializers.Serializer):
    count = ApiIntegerField(min_value=0)
    price = ApiDecimalField(max_digits=10, decimal_places=2)


def test_serializer_fields_read_with_the_parsers_and_are_bounded_as_columns():
    with translation.override("en"):
        bad = _Serializer(data={"count": 2**31, "price": "Infinity"})
        assert not bad.is_valid()
        assert bad.errors == {
            "count": ["Enter a number no more than 2147483647."],
            "price": ["Enter a number in plain digits, e.g. 49.90."],
        }
    good = _Serializer(data={"count": "7", "price": 12.5})
    assert good.is_valid() and good.validated_data == {"count": 7, "price": Decimal("12.50")}
