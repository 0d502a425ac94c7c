from django.urls import path

from orders import views, webhooks

app_name = "orders"

urlpatterns = [
    path("orders/", views.order_list, name="list"),
    path("orders/cart/", views.cart, name="cart"),
    path("orders/cart/add/", views.cart_add, name="cart_add"),
    path("orders/cart/items/<int:item_id>/", views.cart_item, name="cart_item"),
    path("orders/checkout/", views.checkout, name="checkout"),
    path("orders/regions/cities/", views.city_options, name="city_options"),
    path("orders/regions/counties/", views.county_options, name="county_options"),
    path("orders/pay/<int:payment_id>/", views.sandbox_pay, name="sandbox_pay"),
    path(
        "orders/payments/notify/<slug:provider>/", webhooks.payment_notification, name="payment_notification"
    ),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/action/", views.order_action, name="action"),
    path("orders/<str:number>/pay/", views.order_pay, name="pay"),
    path("orders/<str:number>/after-sales/", views.after_sale_open, name="after_sale_open"),
    path(
        "orders/<str:number>/after-sales/<int:request_id>/dispute/",
        views.after_sale_dispute,
        name="after_sale_dispute",
    ),
    path("orders/<str:number>/review/", views.review_add, name="review"),
]
