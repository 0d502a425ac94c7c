"""Onboarding rules in one place: what a supplier sells decides which qualifications it must hold,
and how each qualification's number is written.

Sources: 《食品生产许可管理办法》 (a production licence, "SC" + 14 digits, for anyone who processes
food: milled rice and oil, tea, honey, condiments, drinks, packaged snacks), 《食品经营许可和备案管理办法》
(an operation licence, "JY" + 14 digits, for selling food one did not produce, e.g. chilled meat,
eggs and seafood bought in), and GB 32100-2015 (the business licence carries the unified social
credit code). Primary farm produce sold by its grower (fresh fruit and vegetables, dried
mushrooms, nuts in shell) needs only the business licence.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.uscc import normalize_uscc, validate_uscc


class ProductLine(models.TextChoices):
    GRAIN_OIL = "grain_oil", _("Grain, oil, rice and flour (粮油米面)")
    FRESH_PRODUCE = "fresh_produce", _("Fresh fruit and vegetables (生鲜果蔬)")
    MEAT_EGGS = "meat_eggs", _("Meat, poultry and eggs (肉禽蛋)")
    AQUATIC = "aquatic", _("Fish and seafood (水产)")
    TEA = "tea", _("Tea (茶叶)")
    DRIED_GOODS = "dried_goods", _("Dried mushrooms, nuts and other dry goods (干货)")
    PROCESSED_FOOD = "processed_food", _("Snacks and processed food (休闲食品)")
    BEVERAGES = "beverages", _("Drinks and spirits (酒水饮料)")
    CONDIMENTS = "condiments", _("Condiments (调味品)")
    HONEY = "honey", _("Honey and bee products (蜂产品)")
    NON_FOOD = "non_food", _("Handicrafts and other non-food products (非食品)")


class QualificationType(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence (营业执照)")
    FOOD_PRODUCTION = "food_production", _("Food production licence (食品生产许可证)")
    FOOD_OPERATION = "food_operation", _("Food operation licence (食品经营许可证)")
    GREEN_FOOD = "green_food", _("Green food certificate (绿色食品)")
    ORGANIC = "organic", _("Organic product certificate (有机产品)")
    GEO_INDICATION = "geo_indication", _("Geographical indication of agricultural products (农产品地理标志)")
    OTHER = "other", _("Other document")


@dataclass(frozen=True)
class Requirement:
    """One document the supplier must hold: any one of ``types`` satisfies it."""

    types: frozenset[str]
    because: str  # the product line (or "always") that asks for it

    def label(self) -> str:
        names = dict(QualificationType.choices)
        return _(" or ").join(str(names[t]) for t in sorted(self.types))


ALWAYS = (QualificationType.BUSINESS_LICENCE,)
_PRODUCTION = frozenset({QualificationType.FOOD_PRODUCTION})
_PRODUCTION_OR_OPERATION = frozenset({QualificationType.FOOD_PRODUCTION, QualificationType.FOOD_OPERATION})

# product line -> the food licence it needs (absent: none beyond the business licence)
FOOD_LICENCE_BY_LINE: dict[str, frozenset[str]] = {
    ProductLine.GRAIN_OIL: _PRODUCTION,
    ProductLine.TEA: _PRODUCTION,
    ProductLine.PROCESSED_FOOD: _PRODUCTION,
    ProductLine.BEVERAGES: _PRODUCTION,
    ProductLine.CONDIMENTS: _PRODUCTION,
    ProductLine.HONEY: _PRODUCTION,
    ProductLine.MEAT_EGGS: _PRODUCTION_OR_OPERATION,
    ProductLine.AQUATIC: _PRODUCTION_OR_OPERATION,
}


def required_qualifications(product_lines: list[str]) -> list[Requirement]:
    """The documents a supplier selling ``product_lines`` must hold, most general first."""
    requirements = [Requirement(frozenset({t}), "always") for t in ALWAYS]
    seen: set[frozenset[str]] = set()
    for line in sorted(product_lines):
        types = FOOD_LICENCE_BY_LINE.get(line)
        if types and types not in seen:
            seen.add(types)
            requirements.append(Requirement(types, line))
    # A production licence also satisfies "production or operation": keep only the stricter one.
    if _PRODUCTION in seen and _PRODUCTION_OR_OPERATION in seen:
        requirements = [r for r in requirements if r.types != _PRODUCTION_OR_OPERATION]
    return requirements


def is_mandatory(qualification_type: str, product_lines: list[str]) -> bool:
    """Whether losing this document leaves the supplier without a required qualification type."""
    return any(qualification_type in r.types for r in required_qualifications(product_lines))


NUMBER_FORMATS: dict[str, tuple[re.Pattern, str]] = {
    QualificationType.FOOD_PRODUCTION: (
        re.compile(r"SC\d{14}"),
        _("A food production licence number is “SC” followed by 14 digits, e.g. SC10642282300123."),
    ),
    QualificationType.FOOD_OPERATION: (
        re.compile(r"JY\d{14}"),
        _("A food operation licence number is “JY” followed by 14 digits, e.g. JY14228230001234."),
    ),
    QualificationType.GEO_INDICATION: (
        re.compile(r"AGI\d{5}"),
        _("A geographical indication registration number is “AGI” followed by 5 digits, e.g. AGI01234."),
    ),
}


def normalize_number(qualification_type: str, number: str) -> str:
    number = "".join(number.split())
    if qualification_type in NUMBER_FORMATS or qualification_type == QualificationType.BUSINESS_LICENCE:
        return number.upper()
    return number


def validate_number(qualification_type: str, number: str) -> None:
    """Check a document number where its type has a known format; raise ValidationError saying how."""
    number = normalize_number(qualification_type, number)
    if not number:
        raise ValidationError(_("Enter the document number."), code="required")
    if qualification_type == QualificationType.BUSINESS_LICENCE:
        # Since 2015 the business licence number is the unified social credit code.
        validate_uscc(normalize_uscc(number))
        return
    rule = NUMBER_FORMATS.get(qualification_type)
    if rule and not rule[0].fullmatch(number):
        raise ValidationError(rule[1], code="number_format")
