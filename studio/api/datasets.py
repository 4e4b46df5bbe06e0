"""Datasets over the API: upload, list, inspect, browse images and thumbnails, split, add the demo.

Thin views: input checks here, work in studio.datasets.services, reads in studio.datasets.selectors.
Another person's dataset (or image) is a 404 on every endpoint, thumbnails included.
"""
import logging
from pathlib import PurePath

from django.db.models import ProtectedError, RestrictedError
from django.http import FileResponse
from django.urls import include, path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from studio.api.parsers import SafeJSONParser
from studio.datasets import demo, selectors, services, storage
from studio.datasets.errors import DatasetError
from studio.datasets.limits import IngestLimits, human_bytes
from studio.datasets.models import Dataset, DatasetImage
from studio.datasets.splits import SPLITS, SplitError, SplitSpec, class_split_counts

log = logging.getLogger(__name__)

# Thumbnails and stored images never change for a given image id (ids are not reused), so the
# browser may keep them; "private" because they are only for the signed-in owner.
IMMUTABLE_PRIVATE = "private, max-age=31536000, immutable"
# Multipart framing around the file: allowed on top of the file size limit before refusing early.
_MULTIPART_SLACK = 1024 * 1024


def thumbnail_url(dataset_id: int, image_id: int) -> str:
    return reverse("dataset-image-thumbnail", args=[dataset_id, image_id])


def image_url(dataset_id: int, image_id: int) -> str:
    return reverse("dataset-image-file", args=[dataset_id, image_id])


class DatasetSummarySerializer(serializers.ModelSerializer):
    cover_url = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = ["id", "name", "status", "source", "image_count", "classes", "created", "updated", "cover_url"]

    def get_cover_url(self, dataset: Dataset) -> str | None:
        cover = getattr(dataset, "cover_image_id", None)
        return thumbnail_url(dataset.id, cover) if cover else None


class DatasetDetailSerializer(serializers.ModelSerializer):
    classes = serializers.SerializerMethodField()
    split_counts = serializers.SerializerMethodField()
    images_url = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = ["id", "name", "description", "status", "error", "source", "source_name", "layout", "created",
                  "updated", "image_count", "classes", "image_stats", "skipped", "skipped_count", "split",
                  "split_counts", "images_url"]

    def _split_counts(self, dataset: Dataset) -> dict:
        # Two fields read the same counts: one query per dataset.
        cache = self.__dict__.setdefault("_counts", {})
        if dataset.id not in cache:
            cache[dataset.id] = selectors.dataset_split_counts(dataset=dataset)
        return cache[dataset.id]

    def get_classes(self, dataset: Dataset) -> list[dict]:
        """Each class: name, label index, image count, per-split counts and a few thumbnail URLs."""
        per_class = self._split_counts(dataset)["per_class"]
        examples = selectors.dataset_examples(dataset=dataset)
        return [
            {"index": i, "name": c["name"], "count": c["count"],
             "splits": {s: per_class[i][s] for s in SPLITS},
             "examples": [thumbnail_url(dataset.id, image_id) for image_id in examples.get(i, [])]}
            for i, c in enumerate(dataset.classes)
        ]

    def get_split_counts(self, dataset: Dataset) -> dict[str, int]:
        return self._split_counts(dataset)["totals"]

    def get_images_url(self, dataset: Dataset) -> str:
        return reverse("dataset-images", args=[dataset.id])


class DatasetImageSerializer(serializers.ModelSerializer):
    file = serializers.CharField(source="source_path")
    class_name = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = DatasetImage
        fields = ["id", "file", "label", "class_name", "split", "width", "height", "mode", "format",
                  "thumbnail_url", "image_url"]

    def get_class_name(self, image: DatasetImage) -> str:
        return self.context["class_names"][image.label]

    def get_thumbnail_url(self, image: DatasetImage) -> str:
        return thumbnail_url(image.dataset_id, image.id)

    def get_image_url(self, image: DatasetImage) -> str:
        return image_url(image.dataset_id, image.id)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .zip of class folders, or of images plus a CSV of (file, label).")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("A dataset needs a name.")
        return value.strip()


class SplitSerializer(serializers.Serializer):
    train = serializers.IntegerField(min_value=0, max_value=100)
    validation = serializers.IntegerField(min_value=0, max_value=100)
    test = serializers.IntegerField(min_value=0, max_value=100)
    seed = serializers.IntegerField(min_value=0, required=False, help_text="Default: the current seed.")
    preview = serializers.BooleanField(required=False, default=False,
                                       help_text="Only compute the counts; do not save the split.")


class ImagesPagination(PageNumberPagination):
    page_size = 60
    page_size_query_param = "page_size"
    max_page_size = 500


def _dataset_error(exc: DatasetError) -> Response:
    return Response({"detail": str(exc)}, status=exc.status_code)


def _split_answer(dataset: Dataset) -> dict:
    counts = selectors.dataset_split_counts(dataset=dataset)
    return {"split": dataset.split, "counts": counts["totals"], "classes": counts["per_class"]}


class DatasetViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    parser_classes = [SafeJSONParser, MultiPartParser]
    serializer_class = DatasetDetailSerializer

    def get_queryset(self):
        return selectors.dataset_list(owner=self.request.user)

    @extend_schema(responses=DatasetSummarySerializer(many=True))
    def list(self, request):
        datasets = selectors.dataset_list_with_covers(owner=request.user)
        return Response(DatasetSummarySerializer(datasets, many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: DatasetDetailSerializer})
    def create(self, request):
        limit = IngestLimits.from_settings().max_upload_bytes
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + _MULTIPART_SLACK:
            # Refuse before the body is parsed (and spooled to disk).
            return _too_large(declared, limit)
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"detail": "Send the dataset as a multipart/form-data field named 'file': a .zip of "
                                       "class folders (cats/001.jpg, dogs/002.jpg) or of images with a CSV of "
                                       "(file, label)."}, status=400)
        if upload.size > limit:
            return _too_large(upload.size, limit)
        data = UploadSerializer(data={"file": upload, "name": request.data.get("name", "")})
        data.is_valid(raise_exception=True)
        name = data.validated_data.get("name", "").strip() or PurePath(upload.name or "").stem or "Dataset"
        try:
            dataset = services.dataset_create_from_zip(owner=request.user, name=name, archive=upload.file,
                                                       source_name=upload.name or "")
        except DatasetError as exc:
            return _dataset_error(exc)
        finally:
            upload.close()
        return Response(DatasetDetailSerializer(dataset).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(DatasetDetailSerializer(self.get_object()).data)

    @extend_schema(request=RenameSerializer)
    def partial_update(self, request, pk=None):
        dataset = self.get_object()
        data = RenameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dataset_rename(dataset=dataset, name=data.validated_data["name"])
        return Response(DatasetDetailSerializer(dataset).data)

    def destroy(self, request, pk=None):
        try:
            services.dataset_delete(dataset=self.get_object())
        except (ProtectedError, RestrictedError):
            return Response({"detail": "This dataset is still used by training runs; delete those runs first."},
                            status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("class", str, description="Only this class (by name)."),
            OpenApiParameter("label", int, description="Only this class (by label index)."),
            OpenApiParameter("split", str, enum=[*SPLITS], description="Only this split."),
            OpenApiParameter("page", int), OpenApiParameter("page_size", int),
        ],
        responses=DatasetImageSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="images", url_name="images")
    def images(self, request, pk=None):
        dataset = self.get_object()
        label = _label_filter(dataset, request.query_params)
        split = request.query_params.get("split") or None
        if split is not None and split not in SPLITS:
            raise ValidationError({"detail": f"split must be one of {', '.join(SPLITS)}, not {split!r}."})
        paginator = ImagesPagination()
        page = paginator.paginate_queryset(selectors.dataset_images(dataset=dataset, label=label, split=split),
                                           request, view=self)
        context = {"class_names": dataset.class_names}
        return paginator.get_paginated_response(DatasetImageSerializer(page, many=True, context=context).data)

    @extend_schema(request=SplitSerializer)
    @action(detail=True, methods=["get", "post", "put"], url_path="split", url_name="split")
    def split(self, request, pk=None):
        dataset = self.get_object()
        if request.method == "GET":
            return Response(_split_answer(dataset))
        data = SplitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {"seed": dataset.split_spec.seed, **data.validated_data}
        preview = values.pop("preview")
        try:
            spec = SplitSpec.from_dict(values)
        except SplitError as exc:
            return Response({"detail": str(exc)}, status=400)
        if preview:
            per_class = class_split_counts([c["count"] for c in dataset.classes], spec)
            classes = [{"name": c["name"], **counts} for c, counts in zip(dataset.classes, per_class, strict=True)]
            totals = {s: sum(c[s] for c in per_class) for s in SPLITS}
            return Response({"split": spec.as_dict(), "counts": totals, "classes": classes, "preview": True})
        services.dataset_set_split(dataset=dataset, spec=spec)
        return Response(_split_answer(dataset))


def _label_filter(dataset: Dataset, params) -> int | None:
    name, label = params.get("class"), params.get("label")
    if name:
        if name not in dataset.class_names:
            raise ValidationError({"detail": f"This dataset has no class {name!r}; its classes are: "
                                             f"{', '.join(dataset.class_names)}."})
        return dataset.class_names.index(name)
    if label not in (None, ""):
        if not label.isdigit() or int(label) >= len(dataset.classes):
            raise ValidationError({"detail": f"label must be a class index from 0 to {len(dataset.classes) - 1}."})
        return int(label)
    return None


def _too_large(size: int, limit: int) -> Response:
    return Response({"detail": f"The upload is {human_bytes(size)}; the limit is {human_bytes(limit)} "
                               f"({limit} bytes, STUDIO_MAX_UPLOAD_BYTES). Split the dataset or downscale the "
                               "images first.", "limit": limit}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


class DatasetImageFileView(APIView):
    """A stored image (`file`) or its thumbnail (`thumbnail`) as image/jpeg, for the owner only."""

    kind = "thumbnail"

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request, dataset_id: int, image_id: int):
        try:
            image = selectors.dataset_image_get(owner=request.user, dataset_id=dataset_id, image_id=image_id)
        except DatasetImage.DoesNotExist:
            raise NotFound("Not found (or not yours).") from None
        relative = image.thumb_path if self.kind == "thumbnail" else image.path
        file_path = storage.dataset_dir(dataset_id) / relative
        try:
            handle = open(file_path, "rb")  # noqa: SIM115 (FileResponse closes it)
        except OSError:
            log.error("Dataset %s: file %s is missing on disk", dataset_id, relative)
            raise NotFound("The image file is missing on the server; delete and upload the dataset again.") from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = IMMUTABLE_PRIVATE
        return response


class DemoSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    available = serializers.BooleanField()
    classes = serializers.ListField(child=serializers.CharField())
    dataset = serializers.IntegerField(allow_null=True, help_text="Your demo dataset's id, once added.")


class DemoView(APIView):
    """GET: what the demo dataset is and whether you have it; POST: add it to your account."""

    @extend_schema(responses=DemoSerializer)
    def get(self, request):
        mine = selectors.dataset_list(owner=request.user).filter(source=Dataset.Source.DEMO).first()
        return Response({**demo.demo_info(), "dataset": mine.id if mine else None})

    @extend_schema(request=None, responses={201: DatasetDetailSerializer, 200: DatasetDetailSerializer})
    def post(self, request):
        try:
            dataset, created = services.dataset_add_demo(owner=request.user)
        except FileNotFoundError as exc:
            return Response({"detail": f"{exc} Reinstall the studio or run 'python manage.py load_demo'."}, status=503)
        except DatasetError as exc:
            return _dataset_error(exc)
        return Response(DatasetDetailSerializer(dataset).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("datasets", DatasetViewSet, basename="dataset")

urlpatterns = [
    path("datasets/demo/", DemoView.as_view(), name="dataset-demo"),
    path("datasets/<int:dataset_id>/images/<int:image_id>/thumbnail/",
         DatasetImageFileView.as_view(kind="thumbnail"), name="dataset-image-thumbnail"),
    path("datasets/<int:dataset_id>/images/<int:image_id>/file/",
         DatasetImageFileView.as_view(kind="file"), name="dataset-image-file"),
    path("", include(router.urls)),
]
