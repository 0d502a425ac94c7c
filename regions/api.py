"""Read-only, public division registry: the province → city → county pickers use it.

A code in a URL is routed only if it has the shape of one (GB/T 2260: 2, 4 or 6 digits), so nothing
else (a NUL byte, which PostgreSQL refuses as a parameter) is ever looked up."""

import django_filters
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from regions.models import City, County, Province


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]


class CitySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)

    class Meta:
        model = City
        fields = ["code", "name", "province"]


class CountySerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="city.code", read_only=True)
    province = serializers.CharField(source="province.code", read_only=True)

    class Meta:
        model = County
        fields = ["code", "name", "city", "province", "is_eligible"]


class CityFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="province__code")

    class Meta:
        model = City
        fields = ["province"]


class CountyFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="province__code")
    city = django_filters.CharFilter(field_name="city__code")

    class Meta:
        model = County
        fields = ["province", "city", "is_eligible"]


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    queryset = Province.objects.order_by("code")
    serializer_class = ProvinceSerializer
    lookup_field = "code"
    lookup_value_regex = "[0-9]{2}"
    pagination_class = None


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    queryset = City.objects.select_related("province").order_by("code")
    serializer_class = CitySerializer
    filterset_class = CityFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{4}"
    pagination_class = None


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    queryset = County.objects.select_related("province", "city").order_by("code")
    serializer_class = CountySerializer
    filterset_class = CountyFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{6}"
