"""The studio's limits: what a graph may ask for before it is refused rather than built.

They keep one request from taking the machine down (a 5e9-parameter Dense, a 100k-node graph, a
zip bomb). Every limit is served in the catalog (`limits`), and exceeding one is a `limit_exceeded`
error that names it.
"""

from __future__ import annotations

MAX_NODES = 2000
MAX_EDGES = 8000
MAX_PARAMS_TOTAL = 200_000_000
MAX_TENSOR_ELEMENTS = 100_000_000  # elements of one sample's activation at any node
MAX_ID_LENGTH = 100
MAX_INPUT_RANK = 4  # dims of an Input shape, batch not counted
MAX_INPUT_DIM = 8192
MAX_UNITS = 65536
MAX_RNN_UNITS = 8192
MAX_FILTERS = 8192
MAX_KERNEL_SIZE = 64  # also bounds strides, dilation, pool sizes and up-sampling factors
MAX_DEPTH_MULTIPLIER = 64
MAX_EMBEDDING_INPUT_DIM = 1_000_000
MAX_EMBEDDING_OUTPUT_DIM = 8192
MAX_MERGE_INPUTS = 16
MAX_IMPORT_BYTES = 1024 * 1024 * 1024  # a Keras file handed to import_model_file
MAX_CONFIG_BYTES = 32 * 1024 * 1024  # the JSON architecture inside it

LIMITS: dict[str, int] = {
    "max_nodes": MAX_NODES,
    "max_edges": MAX_EDGES,
    "max_params_total": MAX_PARAMS_TOTAL,
    "max_tensor_elements": MAX_TENSOR_ELEMENTS,
    "max_id_length": MAX_ID_LENGTH,
    "max_input_rank": MAX_INPUT_RANK,
    "max_input_dim": MAX_INPUT_DIM,
    "max_units": MAX_UNITS,
    "max_rnn_units": MAX_RNN_UNITS,
    "max_filters": MAX_FILTERS,
    "max_kernel_size": MAX_KERNEL_SIZE,
    "max_depth_multiplier": MAX_DEPTH_MULTIPLIER,
    "max_embedding_input_dim": MAX_EMBEDDING_INPUT_DIM,
    "max_embedding_output_dim": MAX_EMBEDDING_OUTPUT_DIM,
    "max_merge_inputs": MAX_MERGE_INPUTS,
    "max_import_bytes": MAX_IMPORT_BYTES,
    "max_config_bytes": MAX_CONFIG_BYTES,
}
