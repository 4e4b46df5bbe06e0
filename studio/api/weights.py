"""The weights library over the API: upload (or keep from a finished run), list, inspect and delete
your own backbone weights, and which ImageNet files this machine has.

Thin views: checks and storage in studio.weights.services. Another person's weights are a 404.
"""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.api.parsers import SafeJSONParser
from studio.graphs.backbones import BY_TYPE
from studio.weights import conf, imagenet, selectors, services
from studio.weights.errors import WeightsError
from studio.weights.models import WeightsFile

# Multipart framing around the file: allowed on top of the size limit before refusing early.
_MULTIPART_SLACK = 1024 * 1024


class WeightsSerializer(serializers.ModelSerializer):
    class Meta:
        model = WeightsFile
        fields = ["id", "name", "architecture", "size", "source", "description", "created"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    architecture = serializers.ChoiceField(choices=list(BY_TYPE))
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class FromRunSerializer(serializers.Serializer):
    """A finished run of yours and the id of its pre-trained node: keep what that backbone learned."""

    run = serializers.IntegerField(min_value=1)
    node = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _too_large(size: int, limit: int) -> Response:
    return Response({"detail": f"The upload is {size:,} bytes; the limit is {limit:,} bytes "
                               "(STUDIO_MAX_WEIGHTS_BYTES).", "limit": limit},
                    status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)  # fmt: skip


class WeightsListView(APIView):
    parser_classes = [SafeJSONParser, MultiPartParser]

    @extend_schema(responses=WeightsSerializer(many=True))
    def get(self, request):
        files = selectors.weights_list(owner=request.user, architecture=request.query_params.get("architecture"))
        return Response(WeightsSerializer(files, many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer, "application/json": FromRunSerializer},
                   responses={201: WeightsSerializer})  # fmt: skip
    def post(self, request):
        if request.content_type.startswith("application/json"):
            return self._from_run(request)
        limit = conf.max_upload_bytes()
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + _MULTIPART_SLACK:  # refuse before the body is spooled to disk
            return _too_large(declared, limit)
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {
                    "detail": "Send the weights as a multipart field named 'file' (a .keras, .h5 or "
                    ".weights.h5 file) with 'architecture' (e.g. MobileNetV2)."
                },
                status=400,
            )
        if upload.size > limit:
            return _too_large(upload.size, limit)
        given = {k: request.data[k] for k in ("architecture", "name", "description") if k in request.data}
        data = UploadSerializer(data={**given, "file": upload})
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            weights = services.weights_create(
                owner=request.user,
                architecture=fields["architecture"],
                source=upload,
                name=fields.get("name", ""),
                filename=upload.name or "",
                description=fields.get("description", ""),
            )
        except WeightsError as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=exc.status_code)
        finally:
            upload.close()
        return Response(WeightsSerializer(weights).data, status=status.HTTP_201_CREATED)

    def _from_run(self, request):
        data = FromRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            weights = services.weights_create_from_run(owner=request.user, run_id=fields["run"], node_id=fields["node"],
                                                       name=fields.get("name", ""))  # fmt: skip
        except WeightsError as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=exc.status_code)
        return Response(WeightsSerializer(weights).data, status=status.HTTP_201_CREATED)


class WeightsDetailView(APIView):
    def _get(self, request, pk: int) -> WeightsFile:
        weights = selectors.weights_get(owner=request.user, pk=pk)
        if weights is None:
            raise Http404
        return weights

    @extend_schema(responses=WeightsSerializer)
    def get(self, request, pk: int):
        return Response(WeightsSerializer(self._get(request, pk)).data)

    def delete(self, request, pk: int):
        services.weights_delete(weights=self._get(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvailableView(APIView):
    """Which backbones have their ImageNet weights on this machine, and where a missing file goes."""

    def get(self, request):
        return Response(imagenet.availability_all())


urlpatterns = [
    path("weights/", WeightsListView.as_view(), name="weights-list"),
    path("weights/available/", AvailableView.as_view(), name="weights-available"),
    path("weights/<int:pk>/", WeightsDetailView.as_view(), name="weights-detail"),
]
