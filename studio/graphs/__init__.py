"""studio.graphs: the pure core of Keras Studio (no Django).

Graph schema, layer registry, validation (networkx), shape inference, Keras compile, Keras import
and Python code export. Importing this package does not import Keras or TensorFlow: validate()
and layers_catalog() stay fast; the Keras-facing functions import Keras when first called.
"""

from . import errors
from .catalog import layers_catalog
from .compile import compile_graph
from .errors import GraphError
from .export import to_python
from .files import import_model_file, read_weights_arrays
from .keras_import import from_keras
from .registry import REGISTRY, get_spec
from .validate import Report, validate

__all__ = [
    "REGISTRY",
    "GraphError",
    "Report",
    "compile_graph",
    "errors",
    "from_keras",
    "get_spec",
    "import_model_file",
    "layers_catalog",
    "read_weights_arrays",
    "to_python",
    "validate",
]
