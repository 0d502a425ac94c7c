from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import user_with_organisation


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
