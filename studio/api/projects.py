"""Projects over the API: a user's network designs. Another user's project is a 404."""
from django.http import HttpResponse
from django.urls import include, path
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from studio.graphs import GraphError, to_python, validate
from studio.projects import services
from studio.projects.models import Project
from studio.projects.starters import STARTERS


class ProjectSerializer(serializers.ModelSerializer):
    template = serializers.ChoiceField(choices=sorted(STARTERS), write_only=True, required=False)
    graph = serializers.JSONField(required=False)
    validation = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "graph", "template", "validation", "created", "updated"]
        read_only_fields = ["id", "created", "updated"]

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("A project needs a name.")
        return value.strip()

    def validate_graph(self, value):
        # An unfinished design may be saved; it only has to be a graph-shaped JSON object.
        if not isinstance(value, dict):
            raise serializers.ValidationError("The graph must be a JSON object with 'nodes' and 'edges'.")
        for key in ("nodes", "edges"):
            if key in value and not isinstance(value[key], list):
                raise serializers.ValidationError(f"graph.{key} must be a list.")
        return value

    def get_validation(self, project: Project) -> dict:
        return validate(project.graph).as_dict()

    def create(self, validated_data):
        return services.project_create(owner=self.context["request"].user, **validated_data)


class ProjectListSerializer(serializers.ModelSerializer):
    layers = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "created", "updated", "layers"]

    def get_layers(self, project: Project) -> int:
        nodes = project.graph.get("nodes") if isinstance(project.graph, dict) else None
        return len(nodes) if isinstance(nodes, list) else 0


class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(owner=self.request.user)

    def get_serializer_class(self):
        return ProjectListSerializer if self.action == "list" else ProjectSerializer

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None):
        copy = services.project_duplicate(project=self.get_object())
        return Response(ProjectSerializer(copy, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/x-python"): str})
    @action(detail=True, methods=["get"])
    def code(self, request, pk=None):
        project = self.get_object()
        try:
            script = to_python(project.graph)
        except GraphError as exc:
            return Response({"detail": f"The graph is not valid yet: {exc}", "errors": exc.errors}, status=400)
        response = HttpResponse(script, content_type="text/x-python; charset=utf-8")
        filename = f"{slugify(project.name) or 'model'}.py"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class TemplatesView(APIView):
    def get(self, request):
        return Response([{"key": key, **starter} for key, starter in STARTERS.items()])


router = DefaultRouter(trailing_slash=True)
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = [
    path("projects/templates/", TemplatesView.as_view(), name="project-templates"),
    path("", include(router.urls)),
]
