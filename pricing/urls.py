from django.urls import path

from pricing import views

app_name = "pricing"

urlpatterns = [
    path("pricing/evidence/<int:pk>/screenshot/", views.screenshot, name="screenshot"),
]
