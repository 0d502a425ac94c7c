from django.urls import path

from buyers import views

app_name = "buyers"

urlpatterns = [
    path("buyers/reserved-share/", views.my_reserved_share, name="reserved_share"),
    path("ops/reserved-share/", views.ops_reserved_share, name="ops_reserved_share"),
    path("ops/reserved-share.csv", views.ops_reserved_share_csv, name="ops_reserved_share_csv"),
]
