from django.urls import path

from orders import reserved_share_views as views

# The pages were born in buyers and keep its namespace, so "buyers:reserved_share" and the links to
# it stay as they were.
app_name = "buyers"

urlpatterns = [
    path("buyers/reserved-share/", views.my_reserved_share, name="reserved_share"),
    path("ops/reserved-share/", views.ops_reserved_share, name="ops_reserved_share"),
    path("ops/reserved-share.csv", views.ops_reserved_share_csv, name="ops_reserved_share_csv"),
]
