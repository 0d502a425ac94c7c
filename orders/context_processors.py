from django.utils.functional import SimpleLazyObject

from accounts.models import Role
from orders.models import CartItem


def cart(request):
    """How many lines the buyer's cart holds, for the header (one query, only when a page shows it)."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated or user.role != Role.BUYER:
            return 0
        return CartItem.objects.filter(cart__user=user).count()

    return {"cart_count": SimpleLazyObject(count)}
