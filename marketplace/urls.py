from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from accounts.access import public
from marketplace.health import healthz
from marketplace.views import home

admin.site.site_header = _("Fengshou · operations")
admin.site.site_title = _("Fengshou operations")
admin.site.index_title = _("Operations back office")
# The changelists (suppliers, products) are wide; the app list is one click away on the index.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("suppliers.urls")),
    path("", include("catalog.urls")),
    path("", include("pricing.urls")),
    path("", include("orders.reserved_share_urls")),
    path("", include("orders.urls")),
    path("", include("orders.supplier_urls")),
    path("", include("inspections.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("i18n/js/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("marketplace.api", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
