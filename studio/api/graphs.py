"""The layer catalogue, graph validation and model-file import: thin views over studio.graphs."""
from django.conf import settings
from django.urls import path
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.graphs import GraphError, import_model_file, layers_catalog, validate


class LayersView(APIView):
    def get(self, request):
        return Response(layers_catalog())


class ValidateView(APIView):
    def post(self, request):
        # 200 even when the graph is invalid: the report is the answer.
        return Response(validate(request.data).as_dict())


class ImportView(APIView):
    parser_classes = [MultiPartParser]

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"detail": "Send the model as a multipart field named 'file' (.keras, .h5 or .json)."},
                            status=400)
        limit = settings.STUDIO_MAX_MODEL_FILE_BYTES
        if upload.size > limit:
            return Response({"detail": f"The file is {upload.size} bytes; the limit is {limit} bytes."}, status=413)
        try:
            graph = import_model_file(upload.name, upload.read())
        except GraphError as exc:
            return Response({"detail": str(exc), "errors": exc.errors}, status=400)
        return Response({"graph": graph, "validation": validate(graph).as_dict()})


urlpatterns = [
    path("layers/", LayersView.as_view(), name="layers"),
    path("graphs/validate/", ValidateView.as_view(), name="graph-validate"),
    path("graphs/import/", ImportView.as_view(), name="graph-import"),
]
