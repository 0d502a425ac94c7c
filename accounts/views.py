from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render
from django.views import i18n as i18n_views

from accounts.access import public, signed_in
from accounts.notifications import notification_mark_read
from accounts.services import user_password_changed, user_set_language

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        redirect_authenticated_user=True,
        extra_context={"limit": settings.AXES_FAILURE_LIMIT},
    )
)
logout = public(auth_views.LogoutView.as_view())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; the API tokens issued under the old password end with it."""

    template_name = "accounts/password_change.html"
    success_url = "/accounts/password/done/"

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user_password_changed(user=form.user)
        return response


password_change = signed_in(PasswordChangeView.as_view())
password_change_done = signed_in(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


@signed_in
def notifications(request):
    """The in-app inbox; "mark all as read" clears the unread count."""
    rows = list(request.user.notifications.order_by("-created_at", "-id")[:100])
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"notifications": rows})


@public
def set_language(request):
    """The header's language switch (Django's ``set_language``), remembered on the account too."""
    response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
