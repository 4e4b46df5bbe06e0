/**
 * A validation report (POST /api/graphs/validate/) indexed for the editor: which errors belong to
 * which node, edge and param, and which belong to the graph as a whole.
 */
import type { Graph, GraphIssue, Report } from "../api/types";
import { edgeIds } from "./store";

export interface IndexedReport {
  report: Report | null;
  nodeErrors: Map<string, GraphIssue[]>;
  nodeWarnings: Map<string, GraphIssue[]>;
  /** Keyed by edge id (see store.edgeIds), from the report's edge index. */
  edgeErrors: Map<string, GraphIssue[]>;
  /** nodeId -> param name -> message. */
  paramErrors: Map<string, Map<string, string>>;
  /** Errors that name neither a node nor an edge. */
  general: GraphIssue[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexReport(report: Report | null, graph: Graph): IndexedReport {
  const out: IndexedReport = {
    report,
    nodeErrors: new Map(),
    nodeWarnings: new Map(),
    edgeErrors: new Map(),
    paramErrors: new Map(),
    general: [],
  };
  if (!report) return out;
  const ids = edgeIds(graph.edges);
  const nodes = new Set(graph.nodes.map((n) => n.id));
  for (const issue of report.errors ?? []) {
    const onNode = issue.node != null && nodes.has(issue.node);
    const onEdge = issue.edge != null && issue.edge >= 0 && issue.edge < ids.length;
    if (onNode) {
      push(out.nodeErrors, issue.node!, issue);
      if (issue.param) {
        if (!out.paramErrors.has(issue.node!)) out.paramErrors.set(issue.node!, new Map());
        const params = out.paramErrors.get(issue.node!)!;
        if (!params.has(issue.param)) params.set(issue.param, issue.message);
      }
    }
    if (onEdge) push(out.edgeErrors, ids[issue.edge!], issue);
    if (!onNode && !onEdge) out.general.push(issue);
  }
  for (const issue of report.warnings ?? []) {
    if (issue.node != null && nodes.has(issue.node)) push(out.nodeWarnings, issue.node, issue);
  }
  return out;
}

/** Where an issue points, for the errors list: a node id, or the node an edge leads to. */
export function issueTarget(issue: GraphIssue, graph: Graph): string | null {
  if (issue.node != null && graph.nodes.some((n) => n.id === issue.node)) return issue.node;
  if (issue.edge != null && graph.edges[issue.edge]) return graph.edges[issue.edge].target;
  return null;
}
