from django.urls import path

from pricing import index_views, views

app_name = "pricing"

urlpatterns = [
    path("prices/", index_views.overview, name="index"),
    path("prices/index.csv", index_views.all_csv, name="index_csv"),
    path("prices/<slug:slug>.csv", index_views.category_csv, name="category_csv"),
    path("prices/<slug:slug>/", index_views.category, name="category"),
    path("pricing/evidence/<int:pk>/screenshot/", views.screenshot, name="screenshot"),
    path("suppliers/products/<int:pk>/skus/<int:sku_id>/prices/", views.sku_prices, name="sku_prices"),
]
