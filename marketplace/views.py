"""The pages that compose several domains: each role's start page."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.access import public
from accounts.models import Role
from accounts.roles import OpsTeam
from accounts.selectors import user_with_organisation
from buyers.models import BuyerUnit
from catalog import selectors as catalog_selectors
from inspections.selectors import overview as inspection_overview
from regions.selectors import eligible_county_summary
from suppliers import selectors as supplier_selectors
from suppliers import views as supplier_views
from suppliers.models import SupplierStatus


@public
def home(request):
    """The front door: a landing page for visitors, each role's own start page once signed in."""
    if not request.user.is_authenticated:
        return render(
            request,
            "home/public.html",
            {"registry": eligible_county_summary(), "last_sweep": inspection_overview.last_nightly_sweep()},
        )
    user = user_with_organisation(user_id=request.user.pk)
    if user.role == Role.BUYER:
        return render(
            request,
            "home/buyer.html",
            {
                "unit": user.buyer_unit,
                "suppliers": supplier_selectors.active_suppliers(limit=12),
                "roots": catalog_selectors.roots(),
            },
        )
    if user.role == Role.SUPPLIER:
        return supplier_views.portal(request)
    if user.role == Role.COUNTY_OFFICER:
        return supplier_views.county_applications(request)
    if user.is_ops:
        counts = supplier_selectors.supplier_counts_by_status()
        teams = dict(OpsTeam.choices)
        return render(
            request,
            "home/ops.html",
            {
                "teams": [teams[g] for g in user.groups.values_list("name", flat=True) if g in teams],
                "supplier_counts": [(label, counts[value]) for value, label in SupplierStatus.choices],
                "buyer_units": BuyerUnit.objects.count(),
                "registry": eligible_county_summary(),
                "checks": _spot_check_counts(user),
            },
        )
    return render(request, "home/no_role.html", {"message": _("Your account has no role yet.")}, status=403)


def _spot_check_counts(user) -> inspection_overview.OpsCounts | None:
    """The spot-check cards' counts, for those who may see checks or reports (nobody else pays the queries)."""
    if user.has_perm("inspections.view_spotcheck") or user.has_perm("inspections.view_report"):
        return inspection_overview.ops_counts(user=user)
    return None
