import pytest
from django.core.exceptions import ValidationError

from suppliers.rules import (
    ProductLine,
    QualificationType,
    is_mandatory,
    required_qualifications,
    validate_number,
)

Q = QualificationType


def _types(lines):
    return [set(r.types) for r in required_qualifications(lines)]


def test_fresh_produce_needs_only_the_business_licence():
    assert _types([ProductLine.FRESH_PRODUCE]) == [{Q.BUSINESS_LICENCE}]


def test_processed_food_needs_a_production_licence():
    assert _types([ProductLine.TEA]) == [{Q.BUSINESS_LICENCE}, {Q.FOOD_PRODUCTION}]


def test_meat_accepts_a_production_or_an_operation_licence():
    assert _types([ProductLine.MEAT_EGGS]) == [{Q.BUSINESS_LICENCE}, {Q.FOOD_PRODUCTION, Q.FOOD_OPERATION}]


def test_the_stricter_requirement_wins_when_lines_are_mixed():
    assert _types([ProductLine.MEAT_EGGS, ProductLine.HONEY]) == [{Q.BUSINESS_LICENCE}, {Q.FOOD_PRODUCTION}]


def test_mandatory_documents_follow_the_product_lines():
    assert is_mandatory(Q.FOOD_PRODUCTION, [ProductLine.HONEY])
    assert not is_mandatory(Q.FOOD_PRODUCTION, [ProductLine.FRESH_PRODUCE])
    assert not is_mandatory(Q.GREEN_FOOD, [ProductLine.TEA])
    assert is_mandatory(Q.BUSINESS_LICENCE, [])


@pytest.mark.parametrize(
    "kind,number",
    [
        (Q.FOOD_PRODUCTION, "SC10642282300123"),
        (Q.FOOD_PRODUCTION, "sc1064228230 0123"),  # typed in lower case with a space
        (Q.FOOD_OPERATION, "JY14228230001234"),
        (Q.GEO_INDICATION, "AGI01234"),
        (Q.BUSINESS_LICENCE, "9144030071526726XG"),
        (Q.GREEN_FOOD, "LB-18-21010512345A"),  # no single public format: accepted as written
    ],
)
def test_numbers_in_the_right_format_are_accepted(kind, number):
    validate_number(kind, number)


@pytest.mark.parametrize(
    "kind,number,code",
    [
        (Q.FOOD_PRODUCTION, "SC1064228230012", "number_format"),  # 13 digits
        (Q.FOOD_PRODUCTION, "JY10642282300123", "number_format"),  # wrong prefix
        (Q.FOOD_OPERATION, "JY1422823000123X", "number_format"),
        (Q.GEO_INDICATION, "AGI1234", "number_format"),
        (Q.BUSINESS_LICENCE, "9144030071526726XA", "uscc_check"),
        (Q.OTHER, "  ", "required"),
    ],
)
def test_wrong_numbers_say_what_is_wrong(kind, number, code):
    with pytest.raises(ValidationError) as info:
        validate_number(kind, number)
    assert info.value.code == code
