"""The endpoint payment providers call (orders.payments): signed notifications, acted on once."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import public
from orders import services


@csrf_exempt  # providers cannot hold a CSRF token; the HMAC signature is what authenticates them
@require_POST
@public
def payment_notification(request: HttpRequest, provider: str) -> JsonResponse:
    """Verify the signature (constant time) and apply the event once: the same notification again
    answers 200 with the first result and changes nothing. A bad signature, an old timestamp, an
    unreadable body or an unknown provider answers 400 and stores nothing."""
    try:
        note = services.payment_notification_handle(
            provider=provider, headers=request.headers, body=request.body
        )
    except ValidationError as exc:
        return JsonResponse(
            {"error": exc.error_list[0].code or "invalid", "detail": exc.messages}, status=400
        )
    return JsonResponse({"event": note.event_id, "result": note.result})
