/** The dependency graph of a synthesized stack: explicit depends_on plus references in arguments. */
import type { SynthesizedStack } from './synth';

/** Node ids are `type.name` for resources and `data.type.name` for data sources. */
export function dependencyGraph(json: SynthesizedStack): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const add = (kind: 'resource' | 'data') => {
    for (const [type, blocks] of Object.entries(json[kind] ?? {})) {
      for (const [name, block] of Object.entries(blocks)) {
        const id = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
        const edges = new Set<string>();
        const text = JSON.stringify(block);
        for (const match of text.matchAll(/\b(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)) {
          edges.add(`${match[1] ?? ''}${match[2]}.${match[3]}`);
        }
        edges.delete(id);
        graph.set(id, edges);
      }
    }
  };
  add('resource');
  add('data');
  return graph;
}

/** A cycle in the graph, if there is one (as a list of node ids). */
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Whether `from` depends on `to`, directly or through others. */
export function dependsOn(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const walk = (node: string): boolean => {
    if (node === to) return true;
    if (seen.has(node)) return false;
    seen.add(node);
    return [...(graph.get(node) ?? [])].some(walk);
  };
  return [...(graph.get(from) ?? [])].some(walk);
}
