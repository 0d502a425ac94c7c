"""The price panels other apps' pages show, owned here so those apps need not import pricing.

A lower app's template loads this library and names what it shows; the reads stay in
``pricing.selectors``:

- ``{% product_prices skus as prices %}``: per SKU its verdict and the buyer's explanation, and the
  supplier's comparison links (one query for all the SKUs of the page; the verdicts come with the
  SKUs). ``{% include "pricing/_price_comparison.html" %}`` shows the links.
- ``{% category_index_chart category %}``: the category's monthly price index chart (one query).
- ``{% prices_to_adjust supplier %}``: the supplier portal's "Prices to adjust" box (one query).
"""

from django import template

from pricing.selectors import ProductPrices, adjust_requests_for, category_series
from pricing.selectors import product_prices as _product_prices

register = template.Library()


@register.simple_tag
def product_prices(skus) -> ProductPrices:
    """The buyer's price information for the product page's SKUs (a list, not re-queried)."""
    return _product_prices(skus=list(skus))


@register.inclusion_tag("pricing/_index_chart.html")
def category_index_chart(category) -> dict:
    return {"category": category, "points": category_series(category)}


@register.inclusion_tag("pricing/_prices_to_adjust.html")
def prices_to_adjust(supplier) -> dict:
    return {"price_requests": adjust_requests_for(supplier)}
