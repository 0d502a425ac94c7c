"""The supplier's order pages (/suppliers/orders/…), linked from notifications."""

from django.urls import path

from orders import supplier_views as views

app_name = "supplier_orders"

urlpatterns = [
    path("suppliers/orders/", views.order_list, name="list"),
    path("suppliers/orders/export.csv", views.order_export, name="export"),
    path("suppliers/orders/<str:number>/", views.order_detail, name="detail"),
    path("suppliers/orders/<str:number>/do/<slug:action>/", views.order_action, name="action"),
    path(
        "suppliers/orders/<str:number>/after-sales/<int:pk>/",
        views.after_sale_answer,
        name="after_sale_answer",
    ),
    path(
        "suppliers/orders/<str:number>/after-sales/photos/<int:photo_id>/",
        views.after_sale_photo,
        name="after_sale_photo",
    ),
    path("suppliers/orders/<str:number>/review/reply/", views.review_reply, name="review_reply"),
]
