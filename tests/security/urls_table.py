"""Where each URL pattern of the project points in the matrix's world: pattern (as the resolver spells
it, prefixes joined) -> a function of the world that gives the URL to request."""

from django.urls import reverse


def r(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def fmt(url):
    """The format-suffix variant of a router URL: ``/x/`` becomes ``/x.json``."""
    return lambda w: url(w).rstrip("/") + ".json"


def lit(url):
    return lambda w: url


ORDER = lambda w: w.order.number  # noqa: E731
DONE = lambda w: w.completed.number  # noqa: E731
PRODUCT = lambda w: w.product.pk  # noqa: E731
SKU = lambda w: w.sku.pk  # noqa: E731
CHECK = lambda w: w.spot_check.pk  # noqa: E731

URLS = {
    "": r("home"),
    "healthz": r("healthz"),
    "accounts/login/": r("accounts:login"),
    "accounts/logout/": r("accounts:logout"),
    "accounts/password/": r("accounts:password_change"),
    "accounts/password/done/": r("accounts:password_change_done"),
    "accounts/notifications/": r("accounts:notifications"),
    "suppliers/register/": r("suppliers:register"),
    "suppliers/portal/": r("suppliers:portal"),
    "suppliers/apply/": r("suppliers:apply"),
    "suppliers/apply/<slug:step>/": r("suppliers:apply_step", "company"),
    "suppliers/documents/": r("suppliers:documents"),
    "suppliers/documents/<int:pk>/file/": r("suppliers:document_file", lambda w: w.qualification.pk),
    "suppliers/documents/<int:pk>/delete/": r("suppliers:document_delete", lambda w: w.qualification.pk),
    "suppliers/regions/cities/": lambda w: reverse("suppliers:city_options") + "?province=42",
    "suppliers/regions/counties/": lambda w: reverse("suppliers:county_options") + "?city=4228",
    "county/applications/": r("suppliers:county_applications"),
    "county/applications/<int:pk>/": r("suppliers:county_application", lambda w: w.application.pk),
    "catalog/": r("catalog:index"),
    "catalog/c/<slug:slug>/": r("catalog:category", "citrus"),
    "catalog/p/<int:pk>/": r("catalog:product", PRODUCT),
    "catalog/reports/<int:pk>/": r("catalog:test_report", lambda w: w.report.pk),
    "trace/<uuid:code>/": r("catalog:trace", lambda w: w.batch.code),
    "trace/<uuid:code>/qr.svg": r("catalog:trace_qr", lambda w: w.batch.code),
    "media/<path:path>": r("catalog:media", lambda w: w.image.image.name),
    "suppliers/products/": r("catalog:my_products"),
    "suppliers/products/new/": r("catalog:product_new"),
    "suppliers/products/stock/": r("catalog:stock_import"),
    "suppliers/products/stock.csv": r("catalog:stock_template"),
    "suppliers/products/<int:pk>/": r("catalog:my_product", PRODUCT),
    "suppliers/products/<int:pk>/edit/": r("catalog:product_edit", PRODUCT),
    "suppliers/products/<int:pk>/action/": r("catalog:my_product_action", PRODUCT),
    "suppliers/products/<int:pk>/add/<slug:kind>/": r("catalog:my_product_upload", PRODUCT, "image"),
    "suppliers/products/<int:pk>/skus/<int:sku_id>/": r("catalog:my_sku_update", PRODUCT, SKU),
    "prices/": r("pricing:index"),
    "prices/index.csv": r("pricing:index_csv"),
    "prices/<slug:slug>.csv": r("pricing:category_csv", "citrus"),
    "prices/<slug:slug>/": r("pricing:category", "citrus"),
    "pricing/evidence/<int:pk>/screenshot/": r("pricing:screenshot", lambda w: w.evidence.pk),
    "suppliers/products/<int:pk>/skus/<int:sku_id>/prices/": r("pricing:sku_prices", PRODUCT, SKU),
    "buyers/reserved-share/": r("buyers:reserved_share"),
    "ops/reserved-share/": r("buyers:ops_reserved_share"),
    "ops/reserved-share.csv": r("buyers:ops_reserved_share_csv"),
    "ops/checks/sweeps/": r("inspections:sweeps"),
    "ops/checks/sweeps/progress/": r("inspections:sweep_progress"),
    "ops/checks/sweeps/start/": r("inspections:sweep_start"),
    "ops/checks/sweeps/check/": r("inspections:check_now"),
    "orders/": r("orders:list"),
    "orders/cart/": r("orders:cart"),
    "orders/cart/add/": r("orders:cart_add"),
    "orders/cart/items/<int:item_id>/": r("orders:cart_item", lambda w: w.cart_item.pk),
    "orders/checkout/": r("orders:checkout"),
    "orders/regions/cities/": lambda w: reverse("orders:city_options") + "?province=42",
    "orders/regions/counties/": lambda w: reverse("orders:county_options") + "?city=4201",
    "orders/pay/<int:payment_id>/": r("orders:sandbox_pay", lambda w: w.payment.pk),
    "orders/payments/notify/<slug:provider>/": r("orders:payment_notification", "sandbox"),
    "orders/<str:number>/": r("orders:detail", ORDER),
    "orders/<str:number>/action/": r("orders:action", ORDER),
    "orders/<str:number>/pay/": r("orders:pay", ORDER),
    "orders/<str:number>/after-sales/": r("orders:after_sale_open", DONE),
    "orders/<str:number>/after-sales/<int:request_id>/dispute/": r(
        "orders:after_sale_dispute", lambda w: w.disputed.number, lambda w: w.refused.pk
    ),
    "orders/<str:number>/review/": r("orders:review", DONE),
    "suppliers/orders/": r("supplier_orders:list"),
    "suppliers/orders/export.csv": r("supplier_orders:export"),
    "suppliers/orders/<str:number>/": r("supplier_orders:detail", ORDER),
    "suppliers/orders/<str:number>/do/<slug:action>/": r("supplier_orders:action", ORDER, "confirm"),
    "suppliers/orders/<str:number>/after-sales/<int:pk>/": r(
        "supplier_orders:after_sale_answer", DONE, lambda w: w.after_sale.pk
    ),
    "suppliers/orders/<str:number>/after-sales/photos/<int:photo_id>/": r(
        "supplier_orders:after_sale_photo", DONE, lambda w: w.photo.pk
    ),
    "suppliers/orders/<str:number>/review/reply/": r("supplier_orders:review_reply", DONE),
    "ops/checks/": r("inspections:my_checks"),
    "ops/checks/rectifications/": r("inspections:rectifications"),
    "ops/checks/appeals/": r("inspections:appeals"),
    "ops/checks/<int:pk>/": r("inspections:check", CHECK),
    "ops/checks/<int:pk>/decide/": r("inspections:check_decide", CHECK),
    "ops/checks/<int:pk>/appeal/": r("inspections:appeal_decide", CHECK),
    "ops/checks/<int:pk>/reassign/": r("inspections:check_reassign", CHECK),
    "ops/checks/evidence/<int:pk>/": r("inspections:evidence_file", lambda w: w.check_evidence.pk),
    "supplier/checks/": r("inspections:supplier_checks"),
    "supplier/checks/<int:pk>/": r("inspections:supplier_check", CHECK),
    "supplier/checks/<int:pk>/respond/": r("inspections:supplier_respond", CHECK),
    "supplier/checks/<int:pk>/appeal/": r("inspections:supplier_appeal", CHECK),
    "supplier/checks/<int:pk>/evidence/<int:evidence_id>/": r(
        "inspections:supplier_evidence", CHECK, lambda w: w.check_evidence.pk
    ),
    "reports/new/": lambda w: reverse("inspections:report_new") + f"?product={w.product.pk}",
    "reports/<uuid:code>/": r("inspections:report_track", lambda w: w.complaint.code),
    "buyers/reports/": r("inspections:my_reports"),
    "ops/reports/": r("inspections:ops_reports"),
    "ops/reports/<int:pk>/": r("inspections:ops_report", lambda w: w.complaint.pk),
    "ops/reports/<int:pk>/decide/": r("inspections:ops_report_decide", lambda w: w.complaint.pk),
    "ops/reports/<int:pk>/photos/<int:photo_id>/": r(
        "inspections:ops_report_photo", lambda w: w.complaint.pk, lambda w: w.complaint_photo.pk
    ),
    "ops/checks/phases/": r("inspections:phases"),
    "ops/checks/phases/<int:pk>/": r("inspections:phase", lambda w: w.phase.pk),
    "ops/checks/phases/<int:pk>/do/": r("inspections:phase_action", lambda w: w.phase.pk),
    "ops/checks/phases/<int:pk>/results.xlsx": r("inspections:phase_export", lambda w: w.phase.pk),
    "checks/": r("inspections:public_phases"),
    "checks/<int:pk>/": r("inspections:public_phase", lambda w: w.phase.pk),
    "i18n/setlang/": r("set_language"),
    "i18n/js/": r("javascript-catalog"),
    "api/v1/me/": r("api:me"),
    "api/v1/supplier/application/": r("api:supplier-application"),
    "api/v1/auth/token/": r("api:token"),
    "api/v1/auth/tokens/": r("api:tokens"),
    "api/v1/auth/tokens/<slug:prefix>/": r("api:token-revoke", lambda w: w.token.token_key),
    "api/v1/auth/logout/": r("api:token-logout"),
    "api/v1/auth/logoutall/": r("api:token-logout-all"),
    "api/v1/pricing/index/": r("api:pricing-index"),
    "api/v1/pricing/skus/<int:sku_id>/": r("api:pricing-sku", SKU),
    "api/v1/supplier/skus/<int:sku_id>/evidence/": r("api:supplier-evidence", SKU),
    "api/v1/orders/checkout/": r("api:orders-checkout"),
    "api/v1/": r("api:api-root"),
    "api/v1/<drf_format_suffix:format>": lit("/api/v1/.json"),
    "api/schema/": r("schema"),
    "api/docs/": r("api-docs"),
}

# The API's routers: (prefix as the router spells it, detail regex, the detail object's key, extra actions).
ROUTERS = [
    ("provinces", "(?P<code>[0-9]{2})", lambda w: "42", ()),
    ("cities", "(?P<code>[0-9]{4})", lambda w: "4228", ()),
    ("counties", "(?P<code>[0-9]{6})", lambda w: w.county.code, ()),
    ("buyer-units", "(?P<pk>[^/.]+)", lambda w: w.buyer_unit.pk, ()),
    ("suppliers", "(?P<pk>[^/.]+)", lambda w: w.supplier.pk, ()),
    ("supplier/qualifications", "(?P<pk>[^/.]+)", lambda w: w.qualification.pk, ()),
    ("catalog/products", "(?P<pk>[^/.]+)", PRODUCT, ()),
    ("supplier/products", "(?P<pk>[^/.]+)", PRODUCT, ("submit",)),
    ("orders", "(?P<number>[A-Za-z0-9_-]{1,32})", ORDER, ()),
    ("supplier/orders", "(?P<number>[A-Za-z0-9_-]{1,32})", ORDER, ("cancel", "confirm", "ship")),
]
SUFFIX = r"\.(?P<format>[a-z0-9]+)/?$"


def router_urls():
    """Each router pattern (list, detail, extra actions, and each one's format-suffix twin) -> URL."""
    urls = {}
    for prefix, detail, key, actions in ROUTERS:
        escaped = prefix.replace(".", r"\.")
        list_url = lit(f"/api/v1/{prefix}/")
        urls[f"api/v1/^{escaped}/$"] = (list_url, prefix, "list")
        urls[f"api/v1/^{escaped}{SUFFIX}"] = (fmt(list_url), prefix, "list")
        item = lambda w, prefix=prefix, key=key: f"/api/v1/{prefix}/{key(w)}/"  # noqa: E731
        urls[f"api/v1/^{escaped}/{detail}/$"] = (item, prefix, "detail")
        urls[f"api/v1/^{escaped}/{detail}{SUFFIX}"] = (fmt(item), prefix, "detail")
        for action in actions:
            act = lambda w, item=item, action=action: f"{item(w)}{action}/"  # noqa: E731
            urls[f"api/v1/^{escaped}/{detail}/{action}/$"] = (act, prefix, action)
            urls[f"api/v1/^{escaped}/{detail}/{action}{SUFFIX}"] = (fmt(act), prefix, action)
    return urls
