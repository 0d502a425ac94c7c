"""The versioned REST API: /api/v1/. Each app contributes its own views from its api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import LogoutAllView, LogoutView, MeView, TokenListView, TokenRevokeView, TokenView
from buyers.api import BuyerUnitViewSet
from catalog.api import CatalogViewSet, SupplierProductViewSet
from orders.api import BuyerOrderViewSet, CheckoutView, SupplierOrderViewSet
from pricing.api import PriceIndexSeriesView, SkuPriceView, SupplierEvidenceView
from regions.api import CityViewSet, CountyViewSet, ProvinceViewSet
from suppliers.api import ApplicationView, QualificationViewSet, SupplierViewSet

router = DefaultRouter()
router.register("provinces", ProvinceViewSet, basename="province")
router.register("cities", CityViewSet, basename="city")
router.register("counties", CountyViewSet, basename="county")
router.register("buyer-units", BuyerUnitViewSet, basename="buyer-unit")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("supplier/qualifications", QualificationViewSet, basename="qualification")
router.register("catalog/products", CatalogViewSet, basename="catalog-product")
router.register("supplier/products", SupplierProductViewSet, basename="supplier-product")
router.register("orders", BuyerOrderViewSet, basename="order")
router.register("supplier/orders", SupplierOrderViewSet, basename="supplier-order")


urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("supplier/application/", ApplicationView.as_view(), name="supplier-application"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/tokens/", TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<slug:prefix>/", TokenRevokeView.as_view(), name="token-revoke"),
    path("auth/logout/", LogoutView.as_view(), name="token-logout"),
    path("auth/logoutall/", LogoutAllView.as_view(), name="token-logout-all"),
    path("pricing/index/", PriceIndexSeriesView.as_view(), name="pricing-index"),
    path("pricing/skus/<int:sku_id>/", SkuPriceView.as_view(), name="pricing-sku"),
    path("supplier/skus/<int:sku_id>/evidence/", SupplierEvidenceView.as_view(), name="supplier-evidence"),
    path("orders/checkout/", CheckoutView.as_view(), name="orders-checkout"),
    path("", include(router.urls)),
]
