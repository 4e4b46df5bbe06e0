"""Runs over the API: queue a training run, follow it, stop it, read its stored metrics.

Another user's run, project or dataset is "not found" (never "forbidden"): nobody learns which ids exist.
"""
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.datasets.models import Dataset
from studio.projects.models import Project
from studio.training import selectors, services
from studio.training.models import Run


class RunInput(serializers.Serializer):
    project = serializers.IntegerField(min_value=1)
    dataset = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    hyperparameters = serializers.JSONField(required=False, default=dict)
    request_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                       help_text="An idempotency key: a repeated POST with it returns the first run.")


class RunSerializer(serializers.ModelSerializer):
    worker = serializers.CharField(source="worker_id", read_only=True)
    epochs = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = ["id", "name", "project", "dataset", "status", "error", "epoch", "epochs", "best", "final",
                  "hyperparameters", "classes", "preflight", "cache", "attempt", "worker", "devices", "last_seq",
                  "request_id", "created", "started", "first_batch", "finished"]
        read_only_fields = fields

    def get_epochs(self, run: Run) -> int:
        return int(run.hyperparameters.get("epochs", 0))


class RunDetailSerializer(RunSerializer):
    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "graph"]
        read_only_fields = fields


def _rejected(exc: services.RunRejected) -> Response:
    return Response(exc.as_dict(), status=exc.status)


def _inputs(request) -> tuple[dict, Project, Dataset]:
    data = RunInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    project = Project.objects.filter(owner=request.user, id=values["project"]).first()
    if project is None:
        raise services.RunRejected(f"project: there is no project {values['project']} (or it is not yours).",
                                   errors=[{"field": "project", "message": "not found"}])
    dataset = Dataset.objects.filter(owner=request.user, id=values["dataset"]).first()
    if dataset is None:
        raise services.RunRejected(f"dataset: there is no dataset {values['dataset']} (or it is not yours).",
                                   errors=[{"field": "dataset", "message": "not found"}])
    return values, project, dataset


def _run_or_404(request, run_id: int) -> Run:
    try:
        return selectors.run_get(owner=request.user, run_id=run_id)
    except Run.DoesNotExist:
        raise NotFound() from None


class RunListView(APIView):
    @extend_schema(parameters=[OpenApiParameter("project", int, description="only this project's runs")],
                   responses=RunSerializer(many=True))
    def get(self, request):
        project = request.query_params.get("project")
        if project is not None and not project.isdigit():
            return Response({"detail": "project must be a project id."}, status=400)
        runs = selectors.run_list(owner=request.user, project_id=int(project) if project else None)
        return Response(RunSerializer(runs, many=True).data)

    @extend_schema(request=RunInput, responses={201: RunSerializer, 200: RunSerializer})
    def post(self, request):
        try:
            values, project, dataset = _inputs(request)
            run, created = services.run_create(owner=request.user, project=project, dataset=dataset,
                                               hyperparameters=values["hyperparameters"], name=values["name"],
                                               request_id=values["request_id"])
        except services.RunRejected as exc:
            return _rejected(exc)
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RunPreflightView(APIView):
    """The pre-flight check alone: 200 with {"ok", "errors", "warnings", "figures", "hyperparameters"}."""

    @extend_schema(request=RunInput, responses={200: dict})
    def post(self, request):
        try:
            _, project, dataset = _inputs(request)
            hp, _, result = services.run_check(owner=request.user, project=project, dataset=dataset,
                                               hyperparameters=request.data.get("hyperparameters"))
        except services.RunRejected as exc:
            return _rejected(exc)
        return Response({**result, "hyperparameters": hp})


class RunDetailView(APIView):
    @extend_schema(responses=RunDetailSerializer)
    def get(self, request, run_id: int):
        return Response(RunDetailSerializer(_run_or_404(request, run_id)).data)


class RunStopView(APIView):
    @extend_schema(request=None, responses=RunSerializer)
    def post(self, request, run_id: int):
        try:
            run = services.run_request_stop(run=_run_or_404(request, run_id))
        except services.RunRejected as exc:
            return _rejected(exc)
        return Response(RunSerializer(run).data)


class RunMetricsView(APIView):
    @extend_schema(parameters=[OpenApiParameter("after", int, description="only messages with a larger seq"),
                               OpenApiParameter("limit", int, description=f"at most this many "
                                                                          f"(<= {selectors.MAX_EVENTS_PER_PAGE})")],
                   responses={200: dict})
    def get(self, request, run_id: int):
        run = _run_or_404(request, run_id)
        try:
            after = int(request.query_params.get("after", 0))
            limit = int(request.query_params.get("limit", selectors.MAX_EVENTS_PER_PAGE))
        except ValueError:
            return Response({"detail": "after and limit must be whole numbers."}, status=400)
        if after < 0 or not 1 <= limit <= selectors.MAX_EVENTS_PER_PAGE:
            return Response({"detail": f"after must be 0 or more, limit 1 to {selectors.MAX_EVENTS_PER_PAGE}."},
                            status=400)
        return Response(selectors.run_messages_after(run_id=run.id, after=after, limit=limit))


urlpatterns = [
    path("runs/", RunListView.as_view(), name="run-list"),
    path("runs/preflight/", RunPreflightView.as_view(), name="run-preflight"),
    path("runs/<int:run_id>/", RunDetailView.as_view(), name="run-detail"),
    path("runs/<int:run_id>/stop/", RunStopView.as_view(), name="run-stop"),
    path("runs/<int:run_id>/metrics/", RunMetricsView.as_view(), name="run-metrics"),
]
