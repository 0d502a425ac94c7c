"""The five operations teams (运营中心) and the model permissions each one's work needs.

The groups are kept in step with this table after every ``migrate``: a permission named here
for a model that does not exist yet (a later app) is skipped until it does.
"""

from django.db import DEFAULT_DB_ALIAS, models
from django.utils.translation import gettext_lazy as _

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)


class OpsTeam(models.TextChoices):
    CONTENT = "content_ops", _("Content ops (内容运营)")
    INTERNAL_CONTROL = "internal_control", _("Internal control (内控管理)")
    DATA = "data_ops", _("Data ops (数据运营)")
    DEMAND = "demand_management", _("Demand management (需求管理)")
    CUSTOMER_SERVICE = "customer_service", _("Customer service (客户服务)")


# team -> {"app_label.model": actions}
TEAM_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    OpsTeam.CONTENT: {
        "regions.county": (VIEW,),
        "suppliers.supplier": (VIEW,),
        "catalog.category": ALL,
        "catalog.product": (VIEW, CHANGE),
        "catalog.sku": (VIEW,),
        "catalog.productimage": (VIEW,),
        "catalog.testreport": (VIEW,),
        "catalog.tracebatch": (VIEW,),
        "catalog.productevent": (VIEW,),
        "catalog.skupricechange": (VIEW,),
        "campaigns.campaign": ALL,
        "campaigns.section": ALL,
        "campaigns.submission": (VIEW, CHANGE),
    },
    OpsTeam.INTERNAL_CONTROL: {
        "regions.county": (VIEW, CHANGE),
        "regions.countyoffice": (VIEW, ADD, CHANGE),
        "suppliers.supplier": (VIEW, CHANGE),
        "suppliers.qualification": (VIEW, CHANGE),
        "suppliers.supplierevent": (VIEW,),
        "suppliers.creditentry": (VIEW, ADD),
        "catalog.product": (VIEW, CHANGE),
        "catalog.sku": (VIEW,),
        "catalog.productimage": (VIEW,),
        "catalog.testreport": (VIEW,),
        "catalog.tracebatch": (VIEW,),
        "catalog.productevent": (VIEW,),
        "catalog.skupricechange": (VIEW,),
        "pricing.priceevidence": (VIEW, CHANGE),
        "pricing.shop": (VIEW, CHANGE, ADD),
        "pricing.priceverdict": (VIEW, CHANGE),
        "pricing.pricereview": (VIEW,),
        "pricing.priceindexpoint": (VIEW,),
        "inspections.spotcheck": ALL,
        "inspections.sanction": (VIEW,),
        "inspections.checkphase": ALL,
        "inspections.report": (VIEW, CHANGE),
        "inspections.sweeprun": (VIEW,),
        "inspections.sweepbatch": (VIEW,),
        "inspections.listingresult": (VIEW,),
        "inspections.listingstanding": (VIEW,),
        "accounts.user": (VIEW,),
        "accounts.auditentry": (VIEW,),
        "orders.order": (VIEW,),
        "orders.payment": (VIEW,),
        "orders.aftersalerequest": (VIEW,),
        "orders.stockmovement": (VIEW,),
    },
    OpsTeam.DATA: {
        "regions.county": (VIEW, CHANGE),
        "regions.province": (VIEW,),
        "regions.city": (VIEW,),
        "buyers.buyerunit": (VIEW,),
        "suppliers.supplier": (VIEW,),
        "catalog.category": (VIEW,),
        "catalog.product": (VIEW,),
        "catalog.sku": (VIEW,),
        "catalog.skupricechange": (VIEW,),
        "pricing.priceevidence": (VIEW,),
        "pricing.shop": ALL,
        "pricing.priceverdict": (VIEW,),
        "pricing.pricereview": (VIEW,),
        "pricing.priceindexpoint": (VIEW,),
        "orders.order": (VIEW,),
        "orders.review": (VIEW,),
        "orders.stockmovement": (VIEW,),
        "buyers.reservedsharefiling": (VIEW,),
    },
    OpsTeam.DEMAND: {
        "buyers.buyerunit": (VIEW, ADD, CHANGE),
        "buyers.reservedsharefiling": (VIEW, CHANGE),
        "accounts.user": (VIEW,),
        "regions.county": (VIEW,),
        "orders.order": (VIEW,),
    },
    OpsTeam.CUSTOMER_SERVICE: {
        "buyers.buyerunit": (VIEW,),
        "suppliers.supplier": (VIEW,),
        "accounts.user": (VIEW,),
        "orders.order": (VIEW, CHANGE),
        # "arbitrate" and "confirm" are the orders app's own permissions (decide disputes, confirm transfers).
        "orders.aftersalerequest": (VIEW, CHANGE, "arbitrate"),
        "orders.payment": (VIEW, "confirm"),
        "orders.paymentnotification": (VIEW,),
        "orders.review": (VIEW,),
        "orders.stockmovement": (VIEW,),
        "inspections.report": (VIEW, CHANGE),
    },
}


def sync_ops_groups(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Create the five groups and set each one's permissions to exactly the table above."""
    from django.contrib.auth.models import Group, Permission

    wanted: dict[str, set[tuple[str, str]]] = {}
    for team, table in TEAM_PERMISSIONS.items():
        wanted[team] = {
            (label.split(".")[0], f"{action}_{label.split('.')[1]}")
            for label, actions in table.items()
            for action in actions
        }
    all_pairs = set().union(*wanted.values())
    by_pair = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using)
        .select_related("content_type")
        .filter(content_type__app_label__in={a for a, _ in all_pairs})
    }
    counts = {}
    for team, pairs in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=team)
        perms = [by_pair[pair] for pair in sorted(pairs) if pair in by_pair]
        group.permissions.set(perms)
        counts[team] = len(perms)
    return counts


def sync_ops_groups_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: runs once, for the last app, when every app's permissions exist."""
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is last:
        sync_ops_groups(using=using)
