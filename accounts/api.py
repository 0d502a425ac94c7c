from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from accounts.models import User
from accounts.selectors import api_tokens_of, user_with_organisation
from accounts.services import api_token_create, api_token_revoke, api_tokens_revoke_all


class MeSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "is_staff", "organisation"]
        read_only_fields = fields

    def get_organisation(self, user: User) -> dict | None:
        org = user.organisation
        if org is None:
            return None
        return {"type": org._meta.model_name, "id": org.pk, "name": str(org)}


class MeView(APIView):
    """The signed-in user, its role and the organisation it acts for."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(user_with_organisation(user_id=request.user.pk)).data)


# --- API tokens -------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, write_only=True)
    password = serializers.CharField(
        max_length=4096, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict) -> dict:
        # authenticate() with the request: django-axes counts the failures toward the lockout.
        user = authenticate(
            request=self.context["request"], username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(read_only=True, help_text="The token stops working at this time.")


class ApiTokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(source="token_key", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = AuthToken
        fields = ["prefix", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token: AuthToken) -> bool:
        """Whether this is the token the request was made with."""
        auth = self.context["request"].auth
        return isinstance(auth, AuthToken) and auth.digest == token.digest


@extend_schema(tags=["auth"])
class TokenView(APIView):
    """Exchange a username and password for an API token and its expiry.

    Failed attempts count toward the login lockout. The token is shown once; only its hash is kept.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses=IssuedTokenSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, token = api_token_create(user=serializer.validated_data["user"])
        return Response(IssuedTokenSerializer({"token": token, "expiry": instance.expiry}).data)


@extend_schema(tags=["auth"])
class TokenListView(ListAPIView):
    """The caller's API tokens that still work, newest first: created, expiry and prefix (never the token)."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return AuthToken.objects.none()
        return api_tokens_of(user=self.request.user)


@extend_schema(tags=["auth"])
class TokenRevokeView(APIView):
    """Revoke one of the caller's API tokens, named by its listed prefix (404 if none of theirs has it)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, prefix: str):
        if not api_token_revoke(user=request.user, prefix=prefix):
            raise NotFound
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class LogoutView(APIView):
    """Revoke the API token this request is made with."""

    authentication_classes = [ApiTokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_token_revoke(user=request.user, prefix=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class LogoutAllView(APIView):
    """Revoke every API token of the caller (with a token or from a signed-in browser)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
