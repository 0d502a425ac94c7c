from rest_framework import serializers, viewsets

from accounts.models import Role
from accounts.permissions import HasRole, OpsModelPermission
from suppliers.models import Supplier


class SupplierSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True, default=None)

    class Meta:
        model = Supplier
        fields = ["id", "legal_name", "uscc", "county", "status", "contact_name", "contact_phone"]
        read_only_fields = fields


class SupplierViewSet(viewsets.ReadOnlyModelViewSet):
    """A supplier sees itself; a county office the suppliers of its county; ops all of them."""

    serializer_class = SupplierSerializer
    permission_classes = [HasRole, OpsModelPermission]
    allowed_roles = (Role.SUPPLIER, Role.COUNTY_OFFICER, Role.OPS)

    def get_queryset(self):
        qs = Supplier.objects.select_related("county").order_by("legal_name")
        user = self.request.user
        role = getattr(user, "role", None)  # AnonymousUser has none (schema generation)
        if role == Role.OPS:
            return qs
        if role == Role.SUPPLIER:
            return qs.filter(pk=user.supplier_id)
        if role == Role.COUNTY_OFFICER:
            return qs.filter(county__office__id=user.county_office_id)
        return qs.none()
