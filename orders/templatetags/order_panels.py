"""Order panels other apps' pages show, owned here so those apps need not import orders.

``{% supplier_ratings supplier as ratings %}``: the supplier's average review ratings (one query),
e.g. on the catalogue's product page.
"""

from django import template

from orders.selectors import Ratings
from orders.selectors import supplier_ratings as _supplier_ratings

register = template.Library()


@register.simple_tag
def supplier_ratings(supplier) -> Ratings:
    return _supplier_ratings(supplier=supplier)
