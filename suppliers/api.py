"""Supplier API: a supplier reads and updates its own application and documents; county offices and
ops read what they may see (suppliers.selectors.suppliers_visible_to). Nobody reads another's.

A service's ValidationError propagates: core.errors.api_exception_handler answers it with 400 and
its messages per field (``non_field_errors`` when it names none)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole, OpsModelPermission
from regions.models import County
from suppliers import services
from suppliers.models import Qualification, Supplier
from suppliers.rules import ProductLine, QualificationType
from suppliers.selectors import suppliers_visible_to


class SupplierSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True, default=None)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "legal_name",
            "uscc",
            "county",
            "status",
            "credit_score",
            "contact_name",
            "contact_phone",
        ]
        read_only_fields = fields


class SupplierViewSet(viewsets.ReadOnlyModelViewSet):
    """Suppliers the caller may see: itself (supplier), its county's (county office), all (ops)."""

    serializer_class = SupplierSerializer
    permission_classes = [HasRole, OpsModelPermission]
    allowed_roles = (Role.SUPPLIER, Role.COUNTY_OFFICER, Role.OPS)
    queryset = Supplier.objects.none()

    def get_queryset(self):
        return suppliers_visible_to(self.request.user).select_related("county").order_by("legal_name")


class ApplicationSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(
        slug_field="code", queryset=County.objects.all(), required=False, allow_null=True
    )
    product_lines = serializers.ListField(
        child=serializers.ChoiceField(choices=ProductLine.choices), required=False
    )
    problems = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = [*services.APPLICATION_FIELDS, "status", "problems"]
        read_only_fields = ["status", "problems"]
        extra_kwargs = {"uscc": {"validators": []}}  # uniqueness is checked by the service

    def get_problems(self, supplier: Supplier) -> list[str]:
        return services.application_problems(supplier) if supplier.is_editable else []


class ApplicationView(APIView):
    """The signed-in supplier's own application: read it, or update it while it is a draft."""

    permission_classes = [HasRole]
    allowed_roles = (Role.SUPPLIER,)

    def _supplier(self) -> Supplier:
        supplier = (
            suppliers_visible_to(self.request.user)
            .select_related("county")
            .filter(pk=self.request.user.supplier_id)
            .first()
        )
        if supplier is None:
            raise NotFound
        return supplier

    @extend_schema(responses=ApplicationSerializer)
    def get(self, request):
        return Response(ApplicationSerializer(self._supplier()).data)

    @extend_schema(request=ApplicationSerializer, responses=ApplicationSerializer)
    def patch(self, request):
        supplier = self._supplier()
        serializer = ApplicationSerializer(supplier, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        supplier = services.application_update(
            supplier=supplier, by=request.user, data=dict(serializer.validated_data)
        )
        return Response(ApplicationSerializer(supplier).data)


class QualificationSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    download_url = serializers.SerializerMethodField()
    type = serializers.ChoiceField(choices=QualificationType.choices)

    class Meta:
        model = Qualification
        fields = [
            "id",
            "type",
            "title",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "long_term",
            "status",
            "file",
            "file_type",
            "file_size",
            "download_url",
            "created_at",
        ]
        read_only_fields = ["id", "status", "file_type", "file_size", "download_url", "created_at"]

    def get_download_url(self, q: Qualification) -> str:
        return reverse("suppliers:document_file", args=[q.pk])


class QualificationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in supplier's own qualification documents (upload as multipart)."""

    serializer_class = QualificationSerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.SUPPLIER,)
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = Qualification.objects.none()
    pagination_class = None

    def get_queryset(self):
        return Qualification.objects.filter(supplier__in=suppliers_visible_to(self.request.user)).order_by(
            "type", "-valid_from"
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        supplier = suppliers_visible_to(request.user).get(pk=request.user.supplier_id)
        qualification = services.qualification_add(
            supplier=supplier,
            by=request.user,
            type=data["type"],
            title=data.get("title", ""),
            number=data["number"],
            issuer=data["issuer"],
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            long_term=data.get("long_term", False),
            upload=data["file"],
        )
        return Response(self.get_serializer(qualification).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.qualification_delete(qualification=instance, by=self.request.user)
