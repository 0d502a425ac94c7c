from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.catalog, name="index"),
    path("catalog/c/<slug:slug>/", views.catalog, name="category"),
    path("catalog/p/<int:pk>/", views.product_detail, name="product"),
    path("catalog/reports/<int:pk>/", views.test_report_file, name="test_report"),
    path("trace/<uuid:code>/", views.trace_batch, name="trace"),
    path("trace/<uuid:code>/qr.svg", views.trace_qr, name="trace_qr"),
    path("media/<path:path>", views.media, name="media"),
    path("suppliers/products/", views.my_products, name="my_products"),
    path("suppliers/products/new/", views.product_edit, name="product_new"),
    path("suppliers/products/stock/", views.stock_import, name="stock_import"),
    path("suppliers/products/stock.csv", views.stock_template, name="stock_template"),
    path("suppliers/products/<int:pk>/", views.my_product, name="my_product"),
    path("suppliers/products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("suppliers/products/<int:pk>/action/", views.my_product_action, name="my_product_action"),
    path("suppliers/products/<int:pk>/add/<slug:kind>/", views.my_product_upload, name="my_product_upload"),
    path("suppliers/products/<int:pk>/skus/<int:sku_id>/", views.my_sku_update, name="my_sku_update"),
]
