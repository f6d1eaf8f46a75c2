// The machine as a Mermaid state diagram, read from the definition itself, so the picture
// cannot drift from the code: every state, every transition with its event, guard (the rule's
// name) and actions, and each state's entry and exit actions. `autossh-lab inspect` prints it.
import type { AnyStateMachine } from 'xstate';

interface NodeLike {
  key: string;
  id: string;
  type: string;
  states: Record<string, NodeLike>;
  entry: unknown[];
  exit: unknown[];
  initial?: { target: NodeLike[] };
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
}

interface TransitionLike {
  target?: NodeLike[];
  guard?: unknown;
  actions: unknown[];
}

function nameOf(item: unknown): string {
  if (typeof item === 'string') return item;
  // xstate's and([...]): the rules it combines, by name
  const combined = (item as { guards?: unknown[] } | null)?.guards;
  if (typeof item === 'function' && Array.isArray(combined)) return combined.map(nameOf).join(' and ');
  if (typeof item === 'function') return (item as { type?: string }).type ?? 'inline';
  if (item && typeof item === 'object' && 'type' in item) return String((item as { type: unknown }).type);
  return 'inline';
}

/** Mermaid state ids must be plain words: `autossh.sshRunning.testing` -> `sshRunning_testing`. */
function idOf(node: NodeLike): string {
  return node.id.split('.').slice(1).join('_');
}

function label(event: string, transition: TransitionLike): string {
  const parts = [event];
  if (transition.guard !== undefined) parts.push(`[${nameOf(transition.guard)}]`);
  const actions = transition.actions.map(nameOf).filter((name) => !name.startsWith('xstate.'));
  if (actions.length > 0) parts.push(`/ ${actions.join(', ')}`);
  return parts.join(' ');
}

function describeState(node: NodeLike, indent: string, lines: string[]): void {
  const id = idOf(node);
  const entry = node.entry.map(nameOf);
  if (entry.length > 0) lines.push(`${indent}${id} : entry / ${entry.join(', ')}`);
  const exit = node.exit.map(nameOf);
  if (exit.length > 0) lines.push(`${indent}${id} : exit / ${exit.join(', ')}`);
  const children = Object.values(node.states);
  if (children.length > 0) {
    lines.push(`${indent}state ${id} {`);
    lines.push(`${indent}  [*] --> ${idOf(node.initial!.target[0]!)}`);
    for (const child of children) describeState(child, `${indent}  `, lines);
    lines.push(`${indent}}`);
  }
  if (node.type === 'final') lines.push(`${indent}${id} --> [*]`);
  const edges: Array<[string, TransitionLike]> = [
    ...(node.always ?? []).map((t): [string, TransitionLike] => ['always', t]),
    ...[...node.transitions].flatMap(([event, list]) => list.map((t): [string, TransitionLike] => [event, t])),
  ];
  for (const [event, transition] of edges) {
    const target = transition.target?.[0] ? idOf(transition.target[0]) : id;
    lines.push(`${indent}${id} --> ${target} : ${label(event, transition)}`);
  }
}

export function machineDiagram(machine: AnyStateMachine): string {
  const root = machine.root as unknown as NodeLike;
  const lines = ['stateDiagram-v2', `  [*] --> ${idOf(root.initial!.target[0]!)}`];
  for (const node of Object.values(root.states)) describeState(node, '  ', lines);
  return `${lines.join('\n')}\n`;
}
