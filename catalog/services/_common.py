"""What every catalogue service asks first: is this the product's supplier, and the product's row lock."""

from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from catalog.models import Product
from suppliers.models import Supplier


def require_supplier(user: User, supplier: Supplier) -> None:
    if not (user.is_active and user.role == Role.SUPPLIER and user.supplier_id == supplier.pk):
        raise PermissionDenied


def lock_product(product: Product) -> Product:
    return (
        Product.objects.select_for_update(of=("self",))
        .select_related("category", "supplier")
        .get(pk=product.pk)
    )
