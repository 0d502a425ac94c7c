"""Catalogue API: the public catalogue (same filters as the pages) and suppliers' own products."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import HasRole
from catalog import selectors, services
from catalog.forms import CatalogFilterForm
from catalog.models import Category, Product, Sku
from catalog.units import Unit
from catalog.workflow import ProductAction
from core.errors import as_drf
from core.numbers import BIGINT_MAX, ApiDecimalField, ApiIntegerField, parse_int


def _product_errors(exc, *, rows: int) -> DRFValidationError:
    """A refused product as DRF lists nested errors: ``skus`` holds one object per submitted SKU (empty
    when the row is fine); messages about the SKU list as a whole go under ``non_field_errors`` then."""
    errors = {key: list(messages) for key, messages in exc.fields.items()}
    if exc.sku_rows:
        whole_list = errors.pop("skus", [])
        if whole_list:
            errors.setdefault("non_field_errors", []).extend(whole_list)
        errors["skus"] = [exc.sku_rows.get(i, {}) for i in range(rows)]
    return DRFValidationError(errors)


class SkuSerializer(serializers.ModelSerializer):
    # Numbers read by core.numbers and bounded as their columns on every database (SQLite's integers
    # are wider than PostgreSQL's); the rules (a price above zero, …) are the service's.
    net_quantity = ApiDecimalField(max_digits=10, decimal_places=3)
    pack_count = ApiIntegerField(min_value=0, required=False)
    price = ApiDecimalField(max_digits=10, decimal_places=2)
    stock = ApiIntegerField(required=False)
    weight_grams = ApiIntegerField(min_value=0, required=False, allow_null=True)

    class Meta:
        model = Sku
        fields = [
            "id",
            "spec",
            "net_quantity",
            "unit",
            "pack_count",
            "price",
            "unit_price",
            "stock",
            "weight_grams",
        ]
        read_only_fields = ["unit_price"]


class ProductListSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    price_basis = serializers.CharField(source="category.price_basis")
    origin_county = serializers.CharField(source="origin_county.name")
    origin_province = serializers.CharField(source="origin_province.name")
    supplier = serializers.CharField(source="supplier.legal_name")

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "brand",
            "category",
            "price_basis",
            "min_price",
            "min_unit_price",
            "total_stock",
            "sales_count",
            "certifications",
            "origin_county",
            "origin_province",
            "supplier",
            "main_thumbnail",
        ]


class ProductDetailSerializer(ProductListSerializer):
    skus = SkuSerializer(many=True)
    images = serializers.SerializerMethodField()
    test_reports = serializers.SerializerMethodField()
    trace_batches = serializers.SerializerMethodField()

    class Meta(ProductListSerializer.Meta):
        fields = [
            *ProductListSerializer.Meta.fields,
            "description",
            "shelf_life_days",
            "storage",
            "skus",
            "images",
            "test_reports",
            "trace_batches",
        ]

    def get_images(self, product) -> list[str]:
        return [f"/media/{i.image.name}" for i in product.images.all()]

    def get_test_reports(self, product) -> list[dict]:
        return [
            {
                "lab": r.lab,
                "report_number": r.report_number,
                "report_date": r.report_date,
                "result": r.result,
                "url": f"/catalog/reports/{r.pk}/",
            }
            for r in product.test_reports.all()
        ]

    def get_trace_batches(self, product) -> list[dict]:
        return [
            {
                "batch_number": b.batch_number,
                "produced_on": b.produced_on,
                "base": b.base,
                "url": f"/trace/{b.code}/",
            }
            for b in product.trace_batches.all()
        ]


class CatalogViewSet(viewsets.ViewSet):
    """The public catalogue: anyone may read what buyers see."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("category", str, description="category slug"),
            OpenApiParameter("province", int),
            OpenApiParameter("county", int),
            OpenApiParameter("certification", str),
            OpenApiParameter("price_min", float),
            OpenApiParameter("price_max", float),
            OpenApiParameter("in_stock", bool),
            OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
            OpenApiParameter("page", int),
        ],
        responses=ProductListSerializer(many=True),
    )
    def list(self, request, format=None):  # the router also routes products.json
        form = CatalogFilterForm(request.query_params)
        if not form.is_valid():
            raise DRFValidationError(form.errors)
        node = None
        if request.query_params.get("category"):
            node = next(
                (n for n in selectors.category_tree().values() if n.slug == request.query_params["category"]),
                None,
            )
            if node is None:
                raise DRFValidationError({"category": ["Unknown category."]})
        page = selectors.catalog_page(form.to_query(category=node))
        return Response(
            {
                "count": page.total,
                "count_is_capped": page.capped,
                "page": page.page,
                "num_pages": page.num_pages,
                "results": ProductListSerializer(page.products, many=True).data,
            }
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="product id")],
        responses=ProductDetailSerializer,
    )
    def retrieve(self, request, pk=None, format=None):
        try:
            product = selectors.product_for_buyer(pk=parse_int(pk, min_value=1, max_value=BIGINT_MAX))
        except DjangoValidationError:
            product = None  # not an id ("²" passed isdigit() and then failed int(); 30 digits overflowed)
        if product is None:
            raise NotFound
        return Response(ProductDetailSerializer(product).data)


class SupplierProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.filter(is_active=True)
    )
    name = serializers.CharField(max_length=120)
    brand = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    shelf_life_days = ApiIntegerField(required=False, allow_null=True)
    storage = serializers.CharField(required=False, allow_blank=True)
    certifications = serializers.ListField(child=serializers.CharField(), required=False)
    skus = SkuSerializer(many=True)
    precheck = serializers.SerializerMethodField()

    def get_precheck(self, product) -> list[str]:
        return [p.message for p in services.product_precheck(product)]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["category"] = instance.category.slug
        return data


class SupplierProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in supplier's own products: create, update (while editable), submit."""

    permission_classes = [HasRole]
    allowed_roles = (Role.SUPPLIER,)
    serializer_class = SupplierProductSerializer
    queryset = Product.objects.none()

    def get_queryset(self):
        user = self.request.user
        if getattr(user, "role", None) != Role.SUPPLIER:
            return Product.objects.none()
        return selectors.supplier_products(supplier=user.supplier)

    def _save(self, request, product=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        skus = [dict(s) for s in data.pop("skus")]
        submitted = len(skus)
        if product is not None:
            existing = list(product.skus.all())
            for i, row in enumerate(skus):
                if i < len(existing):
                    row["id"] = existing[i].pk
            skus += [{"id": s.pk, "delete": True} for s in existing[len(skus) :]]
        for row in skus:
            if row.get("unit") and row["unit"] not in Unit.values:
                raise DRFValidationError({"skus": ["Unknown unit."]})
        try:
            product = services.product_save(
                supplier=request.user.supplier,
                by=request.user,
                product=product,
                data=data,
                skus=skus,
                source="api",
            )
        except services.ProductInvalid as exc:
            raise _product_errors(exc, rows=submitted) from exc
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        product = selectors.supplier_product(supplier=request.user.supplier, pk=product.pk)
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED if product else 200)

    @extend_schema(request=SupplierProductSerializer, responses=SupplierProductSerializer)
    def create(self, request):
        return self._save(request)

    @extend_schema(request=SupplierProductSerializer, responses=SupplierProductSerializer)
    def update(self, request, pk=None):
        return self._save(request, product=self.get_object())

    @extend_schema(request=None, responses=SupplierProductSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        # A refusal propagates: core.errors.api_exception_handler answers it with 400.
        product = services.product_transition(
            product=self.get_object(), action=ProductAction.SUBMIT, by=request.user
        )
        return Response(
            self.get_serializer(
                selectors.supplier_product(supplier=request.user.supplier, pk=product.pk)
            ).data
        )
