import { parser } from '@prometheus-io/lezer-promql';

/** A parsed PromQL expression: its syntax errors (text around each) and the metric names it selects. */
export function parsePromql(expr: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      // A metric name is the Identifier that starts a VectorSelector (function names are FunctionIdentifier).
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics };
}
