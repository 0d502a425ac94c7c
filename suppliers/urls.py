from django.urls import path

from suppliers import views

app_name = "suppliers"

urlpatterns = [
    path("suppliers/register/", views.register, name="register"),
    path("suppliers/portal/", views.portal, name="portal"),
    path("suppliers/apply/", views.apply, name="apply"),
    path("suppliers/apply/<slug:step>/", views.apply_step, name="apply_step"),
    path("suppliers/documents/", views.documents, name="documents"),
    path("suppliers/documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("suppliers/documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("suppliers/regions/cities/", views.city_options, name="city_options"),
    path("suppliers/regions/counties/", views.county_options, name="county_options"),
    path("county/applications/", views.county_applications, name="county_applications"),
    path("county/applications/<int:pk>/", views.county_application, name="county_application"),
]
