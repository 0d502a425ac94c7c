"""Orders API: buyers list and read their unit's orders and place their cart; suppliers list their
own orders and confirm, ship or cancel them. Querysets are scoped to who asks, so another unit's or
supplier's order is simply not found (404). Every write is a call to orders.services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from buyers.models import DeliveryAddress
from core.errors import as_drf
from orders import selectors, services
from orders.models import Order, OrderStatus
from orders.workflow import OrderAction

MONEY = {"max_digits": 12, "decimal_places": 2, "read_only": True}
# What an order number in a URL may look like (FS20261202-000123-1): anything else, a NUL byte
# included, is not routed at all (404) rather than looked up.
ORDER_NUMBER_PATTERN = rf"[A-Za-z0-9_-]{{1,{selectors.NUMBER_MAX_LENGTH}}}"


# --- Serializers --------------------------------------------------------------------------------------


class OrderLineSerializer(serializers.Serializer):
    sku = serializers.IntegerField(source="sku_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    product_name = serializers.CharField(read_only=True)
    spec = serializers.CharField(read_only=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    line_total = serializers.DecimalField(**MONEY)


class OrderEventSerializer(serializers.Serializer):
    action = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    actor_role = serializers.CharField(read_only=True, help_text="buyer, supplier, ops or system")
    reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(OrderStatus.values) + ".")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    buyer_unit = serializers.CharField(source="buyer_unit.name", read_only=True)
    supplier = serializers.CharField(source="supplier.legal_name", read_only=True)
    goods_total = serializers.DecimalField(**MONEY)
    shipping_fee = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    payment_method = serializers.CharField(read_only=True, help_text="official_card or bank_transfer")
    placed_at = serializers.DateTimeField(read_only=True)
    carrier = serializers.CharField(read_only=True)
    tracking_number = serializers.CharField(read_only=True)


class OrderDetailSerializer(OrderSerializer):
    recipient = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    postcode = serializers.CharField(read_only=True)
    invoice_title = serializers.CharField(read_only=True)
    invoice_uscc = serializers.CharField(read_only=True)
    invoice_type = serializers.CharField(read_only=True, help_text="ordinary or special")
    note = serializers.CharField(read_only=True)
    cancel_reason = serializers.CharField(read_only=True)
    payment_status = serializers.SerializerMethodField(
        help_text="pending, paid or refunded; null when no payment is live (failed or cancelled)."
    )
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)

    def get_payment_status(self, order) -> str | None:
        payment = order.current_payment
        return payment.status if payment else None


class PreviewLineSerializer(serializers.Serializer):
    sku = serializers.IntegerField(source="sku_id")
    product_name = serializers.CharField()
    spec = serializers.CharField()
    quantity = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="The current price.")
    price_seen = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="The price when it was put in the cart."
    )
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    problem = serializers.CharField(help_text="Why this line cannot be ordered now; empty if it can.")


class PreviewGroupSerializer(serializers.Serializer):
    supplier_id = serializers.IntegerField()
    supplier_name = serializers.CharField()
    lines = PreviewLineSerializer(many=True)
    goods_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class CheckoutPreviewSerializer(serializers.Serializer):
    groups = PreviewGroupSerializer(many=True, help_text="One per supplier: each becomes one order.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    fingerprint = serializers.CharField(help_text="Send it back to place these totals.")
    problems = serializers.ListField(child=serializers.CharField())
    price_changes = serializers.SerializerMethodField()
    can_place = serializers.BooleanField()

    def get_price_changes(self, preview) -> list[str]:
        return [line.price_change for line in preview.price_changes]


class CheckoutInputSerializer(serializers.Serializer):
    # Optional here so that what is missing is told in the service's words.
    address = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id of one of the unit's delivery addresses."
    )
    invoice_type = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ordinary or special"
    )
    payment_method = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="official_card or bank_transfer"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    fingerprint = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="From GET /orders/checkout/: the totals being confirmed.",
    )
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A new random key per confirmation; sending the same key again returns the same orders.",
    )


class ShipInputSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required.")
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required."
    )


class SupplierOrderQuerySerializer(serializers.Serializer):
    """The text filters of the supplier's list (a NUL byte or an over-long text is a 400 on its field)."""

    number = serializers.CharField(
        max_length=selectors.NUMBER_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    buyer = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required; the buyer will read it."
    )


# --- Buyers ---------------------------------------------------------------------------------------


class BuyerOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The orders of the signed-in buyer's unit, newest first."""

    permission_classes = [HasRole]
    allowed_roles = (Role.BUYER,)
    serializer_class = OrderSerializer
    queryset = Order.objects.none()
    lookup_field = "number"
    lookup_value_regex = ORDER_NUMBER_PATTERN
    filter_backends: list = []

    def get_queryset(self):
        qs = selectors.orders_for(user=self.request.user)
        if self.action == "retrieve":
            return qs.prefetch_related("lines", "events", "payments")
        return qs

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer


class CheckoutView(APIView):
    """The buyer's cart as orders (GET: the totals to confirm) and placing them (POST)."""

    permission_classes = [HasRole]
    allowed_roles = (Role.BUYER,)

    @extend_schema(
        tags=["orders"], operation_id="orders_checkout_preview", responses=CheckoutPreviewSerializer
    )
    def get(self, request):
        try:
            preview = services.checkout_preview(user=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(CheckoutPreviewSerializer(preview).data)

    @extend_schema(
        tags=["orders"],
        operation_id="orders_checkout_place",
        request=CheckoutInputSerializer,
        responses={201: OrderDetailSerializer(many=True)},
        description=(
            "Place the whole cart: one order per supplier, at the current prices. If a price changed "
            "since the fingerprint was read, answers 400 with the changes under `fingerprint`: read "
            "the preview again and confirm. A repeated idempotency key returns the orders it made."
        ),
    )
    def post(self, request):
        data = CheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        # Scoped to the buyer's unit; None makes the service say which address to choose.
        address = None
        if values["address"] is not None:
            address = DeliveryAddress.objects.filter(
                buyer_unit_id=user.buyer_unit_id, pk=values["address"]
            ).first()
        try:
            orders = services.place_orders(
                user=user,
                address=address,
                invoice_type=values["invoice_type"],
                note=values["note"],
                fingerprint=values["fingerprint"],
                idempotency_key=values["idempotency_key"],
                payment_method=values["payment_method"],
            )
        except services.PricesChanged as exc:
            raise as_drf(exc, key="fingerprint") from exc
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        placed = (
            selectors.orders_for(user=user)
            .filter(pk__in=[o.pk for o in orders])
            .prefetch_related("lines", "events", "payments")
            .order_by("number")
        )
        return Response(OrderDetailSerializer(placed, many=True).data, status=status.HTTP_201_CREATED)


# --- Suppliers ------------------------------------------------------------------------------------


class SupplierOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in supplier's own orders, newest first, and the steps it takes on them."""

    permission_classes = [HasRole]
    allowed_roles = (Role.SUPPLIER,)
    serializer_class = OrderSerializer
    queryset = Order.objects.none()
    lookup_field = "number"
    lookup_value_regex = ORDER_NUMBER_PATTERN
    filter_backends: list = []

    def get_queryset(self):
        filters = selectors.SupplierOrderFilter()
        if self.action == "list":
            status_ = self.request.query_params.get("status", "")
            query = SupplierOrderQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = selectors.SupplierOrderFilter(
                status=status_ if status_ in OrderStatus.values else "", **query.validated_data
            )
        qs = selectors.supplier_orders(supplier_id=self.request.user.supplier_id, filters=filters)
        qs = qs.select_related("supplier")
        if self.action != "list":
            return qs.prefetch_related("lines", "events", "payments")
        return qs

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=list(OrderStatus.values), description="only orders in this state"
            ),
            OpenApiParameter("number", str, description="part of the order number"),
            OpenApiParameter("buyer", str, description="part of the buyer unit's name"),
        ]
    )
    def list(self, request, *args, **kwargs):
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in OrderStatus.values:
            raise DRFValidationError({"status": [f"Use one of: {', '.join(OrderStatus.values)}."]})
        return super().list(request, *args, **kwargs)

    def _act(self, request, action_name: str, **details):
        order = self.get_object()  # 404 unless it is this supplier's
        try:
            services.order_transition(order=order, action=action_name, by=request.user, **details)
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(OrderDetailSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, number=None):
        """Confirm a placed order."""
        return self._act(request, OrderAction.CONFIRM)

    @extend_schema(request=ShipInputSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, number=None):
        """Ship a confirmed order, with the carrier and the tracking number."""
        data = ShipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, OrderAction.SHIP, **data.validated_data)

    @extend_schema(request=CancelInputSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        """Cancel an order not yet shipped, with a reason the buyer will read."""
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, OrderAction.CANCEL, reason=data.validated_data["reason"])
