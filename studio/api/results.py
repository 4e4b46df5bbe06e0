"""A finished run's results over the API: evaluation (metrics, confusion matrix, galleries), predictions
for uploaded images or a zip, and model downloads in every format.

Thin views: parameters are checked here, the work is in studio.exports.run_* (which touch the run's
files). Another user's run is a 404 everywhere; a run that has not finished is a 409 with a message.
"""
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from studio.api.datasets import image_url, thumbnail_url
from studio.exports.archive import ZipLimits
from studio.exports.errors import BatchError, ExportError, ExportUnavailable, UnknownFormat
from studio.exports.run_downloads import download_formats, run_export, run_formats
from studio.exports.run_evaluation import SPLITS, run_evaluate
from studio.exports.run_predictions import Upload, run_predict, run_predict_zip
from studio.exports.run_weights import CHECKPOINTS, ResultsUnavailable, download_stem
from studio.training import selectors
from studio.training.models import Run

log = logging.getLogger(__name__)

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
_MULTIPART_SLACK = 1024 * 1024  # multipart framing around the files
PREDICT_MAX_BYTES = 256 * 1024 * 1024  # all the images of one /predict/ request together


def _choice(name: str, choices, default=None) -> serializers.ChoiceField:
    listed = ", ".join(choices)
    return serializers.ChoiceField(
        choices=list(choices), required=False, default=default,
        error_messages={"invalid_choice": f'"{{input}}" is not a {name}; choose one of {listed}.'})


class EvaluationQuery(serializers.Serializer):
    split = _choice("split", SPLITS, "test")
    checkpoint = _choice("checkpoint", CHECKPOINTS)


class PredictQuery(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=3,
                                 help_text="how many classes per image (at most the number of classes)")
    checkpoint = _choice("checkpoint", CHECKPOINTS)


class ModelQuery(serializers.Serializer):
    format = serializers.CharField(required=False, default="keras")
    checkpoint = _choice("checkpoint", CHECKPOINTS)
    optimizer = serializers.CharField(required=False, default="")

    def validate_format(self, value: str) -> str:
        if value not in download_formats():
            raise serializers.ValidationError(f"Unknown format {value!r}. Valid formats: "
                                              f"{', '.join(download_formats())}.")
        return value

    def validate_optimizer(self, value: str) -> bool:
        if value.lower() not in _TRUE | _FALSE:
            raise serializers.ValidationError("optimizer must be 1 (include the optimizer state) or 0.")
        return value.lower() in _TRUE


def _params(serializer_class, request) -> dict:
    data = serializer_class(data={**request.query_params.dict(), **_form_fields(request)})
    data.is_valid(raise_exception=True)
    return data.validated_data


def _too_large(request, limit: int, what: str) -> Response | None:
    """A 413 before the body is parsed (and spooled to disk) when it declares more than `limit` bytes."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared <= limit + _MULTIPART_SLACK:
        return None
    return Response({"detail": f"The upload is {declared:,} bytes; the limit is {limit:,} for {what}.", "limit": limit},
                    status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def _form_fields(request) -> dict:
    """Plain form fields of a multipart POST (k, checkpoint), files left out."""
    if request.method != "POST" or not hasattr(request.data, "dict"):
        return {}
    return {key: value for key, value in request.data.dict().items() if isinstance(value, str)}


class _FormatIsNotARenderer:
    """DRF settings, except that ``?format=`` does not pick a renderer (here it names a model format)."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name: str):
        return getattr(api_settings, name)


class _Negotiation(DefaultContentNegotiation):
    settings = _FormatIsNotARenderer()


class ResultsView(APIView):
    """Maps the exports package's errors to answers a person can act on."""

    content_negotiation_class = _Negotiation

    def handle_exception(self, exc):
        if isinstance(exc, ResultsUnavailable):
            return Response({"detail": str(exc)}, status=exc.status)
        if isinstance(exc, UnknownFormat):
            return Response({"detail": str(exc), "valid": download_formats()}, status=400)
        if isinstance(exc, BatchError):
            return Response({"detail": str(exc)}, status=400)
        if isinstance(exc, ExportUnavailable):
            return Response({"detail": str(exc)}, status=status.HTTP_501_NOT_IMPLEMENTED)
        if isinstance(exc, ExportError):
            log.exception("Export failed")
            return Response({"detail": f"{exc} This is a problem on the server's side; its log has the details."},
                            status=500)
        return super().handle_exception(exc)

    def run(self, request, run_id: int) -> Run:
        try:
            return selectors.run_get(owner=request.user, run_id=run_id)
        except Run.DoesNotExist:
            raise NotFound("Not found (or not yours).") from None


def _with_urls(result: dict, run: Run) -> dict:
    """The evaluation with links: images of the galleries, the confusion matrix as a PNG."""
    result = {key: value for key, value in result.items() if key != "fingerprint"}
    for item in (*result["misclassified"], *result["difficult"]):
        item["thumbnail_url"] = thumbnail_url(run.dataset_id, item["image_id"])
        item["image_url"] = image_url(run.dataset_id, item["image_id"])
    query = urlencode({"split": result["split"], "checkpoint": result["checkpoint"]})
    result["confusion_png"] = f"{reverse('run-evaluation-confusion', args=[run.id])}?{query}"
    return result


_SPLIT = OpenApiParameter("split", str, enum=list(SPLITS), description="the held-out split (default test)")
_CHECKPOINT = OpenApiParameter("checkpoint", str, enum=list(CHECKPOINTS),
                               description="best epoch (by the monitored metric) or last; default: the kept one")


class RunEvaluationView(ResultsView):
    """Accuracy, loss, per-class precision/recall/F1, confusion matrix, misclassified and difficult images.

    GET answers the cached evaluation (computing it the first time); POST computes it again.
    """

    @extend_schema(parameters=[_SPLIT, _CHECKPOINT], responses={200: dict})
    def get(self, request, run_id: int):
        run = self.run(request, run_id)
        query = _params(EvaluationQuery, request)
        return Response(_with_urls(run_evaluate(run=run, **query), run))

    @extend_schema(parameters=[_SPLIT, _CHECKPOINT], request=None, responses={200: dict})
    def post(self, request, run_id: int):
        run = self.run(request, run_id)
        query = _params(EvaluationQuery, request)
        return Response(_with_urls(run_evaluate(run=run, refresh=True, **query), run))


class RunConfusionPngView(ResultsView):
    @extend_schema(parameters=[_SPLIT, _CHECKPOINT], responses={(200, "image/png"): bytes})
    def get(self, request, run_id: int):
        from studio.exports.charts import confusion_matrix_png

        run = self.run(request, run_id)
        result = run_evaluate(run=run, **_params(EvaluationQuery, request))
        matrix = result["confusion_matrix"]
        title = f"{run.name}: {result['split']} split, {result['checkpoint']} weights"
        response = HttpResponse(confusion_matrix_png(matrix["matrix"], matrix["labels"], title=title),
                                content_type="image/png")
        response["Cache-Control"] = "private, no-cache"
        return response


class RunPredictView(ResultsView):
    """Images in (multipart `file`, one or more), top-k classes with probabilities out."""

    @extend_schema(parameters=[OpenApiParameter("k", int, description="classes per image (default 3)"), _CHECKPOINT],
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
                   responses={200: dict})
    def post(self, request, run_id: int):
        run = self.run(request, run_id)
        refused = _too_large(request, PREDICT_MAX_BYTES, "one request's images (send a zip to predict-batch)")
        if refused:
            return refused
        query = _params(PredictQuery, request)
        files = request.FILES.getlist("file")
        uploads = [Upload(name=f.name or f"image-{i + 1}", size=f.size or 0, file=f) for i, f in enumerate(files)]
        try:
            answer = run_predict(run=run, uploads=uploads, top_k=query["k"], checkpoint=query.get("checkpoint"))
        finally:
            for upload in files:
                upload.close()
        failed = [r for r in answer["results"] if "error" in r]
        if failed and len(failed) == len(answer["results"]):
            # Nothing could be predicted: the first file's reason is the answer (413 for an oversized file).
            code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if failed[0]["code"] == "too_large" else 400
            detail = failed[0]["error"] if len(failed) == 1 else f"{failed[0]['file']}: {failed[0]['error']}"
            return Response({"detail": detail, **answer}, status=code)
        return Response(answer)


class RunPredictBatchView(ResultsView):
    """A zip of images in (multipart `file`), a CSV of predictions out (one row per file)."""

    @extend_schema(parameters=[OpenApiParameter("k", int, description="classes per image (default 3)"), _CHECKPOINT],
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}}},
                   responses={(200, "text/csv"): str})
    def post(self, request, run_id: int):
        run = self.run(request, run_id)
        limit = settings.STUDIO_MAX_UPLOAD_BYTES
        refused = _too_large(request, limit, "a zip (STUDIO_MAX_UPLOAD_BYTES)")
        if refused:
            return refused
        query = _params(PredictQuery, request)
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"detail": "Send a .zip of images as a multipart field named 'file'."}, status=400)
        if upload.size > limit:
            return Response({"detail": f"The zip is {upload.size:,} bytes; the limit is {limit:,}."}, status=413)
        try:
            result = run_predict_zip(run=run, source=upload.file, top_k=query["k"],
                                     checkpoint=query.get("checkpoint"), limits=ZipLimits())
        finally:
            upload.close()
        response = HttpResponse(result.csv, content_type="text/csv; charset=utf-8")
        filename = f"{download_stem(run, checkpoint=result.checkpoint)}_predictions.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Files"] = str(result.files)
        response["X-Errors"] = str(result.errors)
        return response


class RunModelView(ResultsView):
    """The trained model as a file: exported once, checked in its own runtime, then served from the cache."""

    @extend_schema(parameters=[
        OpenApiParameter("format", str, description="keras (default), h5, savedmodel, tflite, onnx or bundle: "
                                                    "the formats endpoint lists them with their availability"),
        _CHECKPOINT,
        OpenApiParameter("optimizer", int, description="1: a resumable keras/h5 file with the optimizer state "
                                                       "(last epoch)"),
    ], responses={(200, "application/octet-stream"): bytes})
    def get(self, request, run_id: int):
        run = self.run(request, run_id)
        query = _params(ModelQuery, request)
        download = run_export(run=run, fmt=query["format"], checkpoint=query.get("checkpoint"),
                              optimizer=query["optimizer"])
        response = FileResponse(open(download.path, "rb"), as_attachment=True,  # noqa: SIM115 (closed by Django)
                                filename=download.filename, content_type=download.content_type)
        response["Cache-Control"] = "private, no-cache"
        return response


class RunModelFormatsView(ResultsView):
    @extend_schema(responses={200: dict})
    def get(self, request, run_id: int):
        return Response(run_formats(run=self.run(request, run_id)))


urlpatterns = [
    path("runs/<int:run_id>/evaluation/", RunEvaluationView.as_view(), name="run-evaluation"),
    path("runs/<int:run_id>/evaluation/confusion.png", RunConfusionPngView.as_view(), name="run-evaluation-confusion"),
    path("runs/<int:run_id>/predict/", RunPredictView.as_view(), name="run-predict"),
    path("runs/<int:run_id>/predict-batch/", RunPredictBatchView.as_view(), name="run-predict-batch"),
    path("runs/<int:run_id>/model/", RunModelView.as_view(), name="run-model"),
    path("runs/<int:run_id>/model/formats/", RunModelFormatsView.as_view(), name="run-model-formats"),
]
