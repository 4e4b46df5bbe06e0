import sys; sys.path.insert(0, "tests/graphs")
from test_graphs_registry_generic import _cases, _input_shapes, _base_params
from graph_factories import single_layer
from studio.graphs import REGISTRY, validate
from collections import Counter
c = Counter(); bad = []
for case in _cases():
    t, v = case.values
    spec = REGISTRY[t]
    r = validate(single_layer(t, {**_base_params(spec), **v}, _input_shapes(spec)))
    c[r.valid] += 1
    if not r.valid: bad.append((t, v, [e['code'] for e in r.errors]))
print(c)
for b in bad: print(b)
