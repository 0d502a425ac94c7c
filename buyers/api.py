from rest_framework import serializers, viewsets

from accounts.models import Role
from accounts.permissions import HasRole, OpsModelPermission
from buyers.models import BuyerUnit


class BuyerUnitSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True, default=None)

    class Meta:
        model = BuyerUnit
        fields = ["id", "name", "uscc", "kind", "province", "county", "address"]
        read_only_fields = fields


class BuyerUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Buyers see their own unit; ops staff with the view permission see all."""

    serializer_class = BuyerUnitSerializer
    permission_classes = [HasRole, OpsModelPermission]
    allowed_roles = (Role.BUYER, Role.OPS)

    def get_queryset(self):
        qs = BuyerUnit.objects.select_related("province", "county").order_by("name")
        user = self.request.user
        role = getattr(user, "role", None)  # AnonymousUser has none (schema generation)
        if role == Role.OPS:
            return qs
        if role == Role.BUYER:
            return qs.filter(pk=user.buyer_unit_id)
        return qs.none()
