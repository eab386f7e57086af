"""Stage 3, the graph: a policy's statuses, transitions and obligations as a networkx graph.

In: `compiler.model.ir.Policy`. Out: `networkx.MultiDiGraph` views used by the gap analyses and the
process-map emitter. The graph is a derived view, not the IR. Imports `dsl` and `compiler.model`.
"""
