"""The spot-check panels the catalogue's supplier pages show, owned here so catalog need not import
inspections (loaded by templates/catalog):

- ``{% listing_standing_panel product %}``: on the supplier's product page, the listing's standing from
  the nightly sweep: last checked, frozen or not and why, each finding in the reader's language and what
  to fix (one query).
- ``{{ code|finding_label }}``: a finding code (a sweep item's, or an item a reviewer examined) in words.
- ``{% supplier_standings supplier as standings %}`` then ``{% standing_badge standings product %}``: a
  "frozen" / "to fix" badge per row of the supplier's product list (one query for the whole page).
"""

from django import template

from inspections.items import describe
from inspections.models import ListingStanding, Outcome
from inspections.selectors.sweep import listing_standing
from inspections.services.checks import ReviewItem

register = template.Library()


@register.inclusion_tag("inspections/_standing_panel.html")
def listing_standing_panel(product) -> dict:
    standing, findings = listing_standing(product=product)
    return {"product": product, "standing": standing, "findings": findings}


@register.simple_tag
def supplier_standings(supplier) -> dict[int, ListingStanding]:
    return {s.product_id: s for s in ListingStanding.objects.filter(product__supplier=supplier)}


@register.inclusion_tag("inspections/_standing_badge.html")
def standing_badge(standings: dict, product) -> dict:
    standing = standings.get(product.pk)
    to_fix = standing is not None and standing.outcome in (Outcome.MAJOR, Outcome.BLOCKING)
    return {"frozen": product.frozen_at is not None, "to_fix": to_fix, "standing": standing}


@register.filter
def finding_label(code: str) -> str:
    if code in ReviewItem.values:
        return str(ReviewItem(code).label)
    return describe(code)
