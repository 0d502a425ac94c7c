"""Pricing API: the published price index (read-only, public), and per SKU its price verdict with
the evidence behind it; suppliers record evidence."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from catalog.models import Sku
from catalog.selectors import category_tree
from catalog.units import Unit
from core.numbers import ApiDecimalField, ApiIntegerField
from pricing import selectors, services
from pricing.explain import explain
from pricing.models import EvidenceStatus, Frequency, Match, PriceEvidence, PriceVerdict
from regions.models import Province


class IndexPointSerializer(serializers.Serializer):
    period_start = serializers.DateField(
        help_text="First day of the period (a month, or an ISO week's Monday)."
    )
    level = serializers.FloatField(
        allow_null=True, help_text="Chained index level, 100 at the first period; null when not published."
    )
    change = serializers.FloatField(
        allow_null=True,
        help_text="Change from the previous period in percent; null when not published or for the first period.",
    )
    matched = serializers.IntegerField(help_text="Matched items the change rests on, after outlier editing.")
    dropped = serializers.IntegerField(help_text="Matched items left out as outliers.")
    published = serializers.BooleanField()


class IndexSeriesSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="Category slug.")
    name = serializers.CharField()
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    province = serializers.CharField(allow_null=True, help_text="Province code, or null for all provinces.")
    min_matched = serializers.IntegerField(help_text="Matched items a published change needs at least.")
    points = IndexPointSerializer(many=True)


def _point(p) -> dict:
    published = p.published and p.level is not None
    change = selectors.change_pct(p)
    return {
        "period_start": p.period_start,
        "level": round(p.level, 4) if published else None,
        "change": round(change, 4) if change is not None else None,
        "matched": p.matched,
        "dropped": p.dropped,
        "published": p.published,
    }


class PriceIndexSeriesView(APIView):
    """One category's published price index series (Jevons, chained; see /prices/ for the method)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["pricing"],
        operation_id="pricing_index_series",
        parameters=[
            OpenApiParameter("category", str, required=True, description="category slug, e.g. rice"),
            OpenApiParameter("frequency", str, enum=list(Frequency.values), description="default month"),
            OpenApiParameter("province", str, description="province code (e.g. 42); all provinces if absent"),
        ],
        responses=IndexSeriesSerializer,
    )
    def get(self, request):
        slug = request.query_params.get("category", "")
        if not slug:
            raise DRFValidationError({"category": ["Give a category slug."]})
        frequency = request.query_params.get("frequency") or Frequency.MONTH
        if frequency not in Frequency.values:
            raise DRFValidationError({"frequency": [f"Use one of: {', '.join(Frequency.values)}."]})
        node = next((n for n in category_tree().values() if n.slug == slug), None)
        if node is None:
            raise NotFound("Unknown category.")
        province = None
        code = request.query_params.get("province")
        if code:
            province = Province.objects.filter(code=code).first()
            if province is None:
                raise NotFound("Unknown province.")
        points = selectors.category_series(node.id, frequency=frequency, province=province)
        return Response(
            IndexSeriesSerializer(
                {
                    "category": node.slug,
                    "name": node.name,
                    "frequency": frequency,
                    "province": province.code if province else None,
                    "min_matched": settings.PRICE_INDEX_MIN_MATCHED,
                    "points": [_point(p) for p in points],
                }
            ).data
        )


# --- Verdicts and evidence per SKU -----------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.name", read_only=True)
    stale = serializers.BooleanField(source="is_stale", read_only=True)

    class Meta:
        model = PriceEvidence
        fields = [
            "id",
            "shop",
            "url",
            "match",
            "observed_price",
            "spec",
            "net_quantity",
            "unit",
            "pack_count",
            "observed_unit_price",
            "seen_on",
            "stale",
            "status",
            "review_reason",
        ]


class EvidenceInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    match = serializers.ChoiceField(choices=Match.choices)
    observed_price = ApiDecimalField(max_digits=10, decimal_places=2)
    spec = serializers.CharField(max_length=100)
    net_quantity = ApiDecimalField(max_digits=10, decimal_places=3)
    unit = serializers.ChoiceField(choices=Unit.choices)
    pack_count = ApiIntegerField(min_value=1, default=1)  # core.numbers: bounded as its column
    seen_on = serializers.DateField()
    screenshot = serializers.FileField(help_text="JPEG or PNG screenshot of the shop page.")


class VerdictSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_verdict_display", read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = PriceVerdict
        fields = [
            "verdict",
            "label",
            "explanation",
            "severity",
            "unit_price",
            "basis",
            "reference_unit_price",
            "reference_ratio",
            "reference_shop",
            "reference_seen_on",
            "peer_scope",
            "peer_count",
            "peer_median",
            "peer_z",
            "peer_ratio",
            "history_median",
            "history_ratio",
            "signals",
            "review_state",
            "model_version",
            "computed_at",
        ]

    def get_explanation(self, verdict: PriceVerdict) -> str:
        return explain(verdict, for_supplier=self.context.get("for_supplier", False))


class SkuPriceSerializer(serializers.Serializer):
    sku = serializers.IntegerField()
    product = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    verdict = VerdictSerializer(allow_null=True)
    evidence = EvidenceSerializer(many=True)


def _sku_for(request, sku_id: int) -> tuple[Sku, bool]:
    """The SKU if the caller may see its prices: anyone for a listing on sale, its supplier and ops
    always. Returns (sku, caller is its supplier)."""
    sku = Sku.objects.select_related("product", "verdict__peer_category").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound
    user = request.user
    own = bool(
        user.is_authenticated and user.role == Role.SUPPLIER and user.supplier_id == sku.product.supplier_id
    )
    ops = bool(user.is_authenticated and user.is_ops and user.has_perm("pricing.view_priceverdict"))
    if not (own or ops or (sku.product.is_visible and sku.is_active)):
        raise NotFound
    return sku, own


class SkuPriceView(APIView):
    """A SKU's price verdict with its explanation, and the comparison links behind it. Public for
    listings on sale (rejected references hidden); the supplier and ops see every reference."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["pricing"], operation_id="pricing_sku_price", responses=SkuPriceSerializer)
    def get(self, request, sku_id: int):
        sku, own = _sku_for(request, sku_id)
        evidence = PriceEvidence.objects.filter(sku=sku).select_related("shop")
        if not (own or (request.user.is_authenticated and request.user.is_ops)):
            evidence = evidence.exclude(status=EvidenceStatus.REJECTED)
        verdict = getattr(sku, "verdict", None)
        data = {
            "sku": sku.pk,
            "product": sku.product_id,
            "unit_price": sku.unit_price,
            "verdict": verdict,
            "evidence": list(evidence),
        }
        return Response(SkuPriceSerializer(data, context={"for_supplier": own}).data)


class SupplierEvidenceView(APIView):
    """Record a price reference for one of the supplier's own SKUs (multipart, with the screenshot).
    Every wrong field is reported on its field and nothing is saved."""

    permission_classes = [HasRole]
    allowed_roles = (Role.SUPPLIER,)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["pricing"],
        operation_id="supplier_evidence_create",
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={201: EvidenceSerializer},
    )
    def post(self, request, sku_id: int):
        sku = (
            Sku.objects.select_related("product__category")
            .filter(pk=sku_id, product__supplier_id=request.user.supplier_id)
            .first()
        )
        if sku is None:
            raise NotFound
        payload = EvidenceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # A refusal propagates: core.errors.api_exception_handler reports it per field (400).
        evidence = services.evidence_add(sku=sku, by=request.user, **payload.validated_data)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
