// What a reload does, decided from names and definition keys alone. Pure.
// A tunnel's name is its identity: a name gone from the file is stopped, a new name started, a
// name whose definition changed restarted (stopped, then started under the same name), and an
// unchanged one left alone: its ssh keeps its pid. One exception to "left alone": a tunnel whose
// machine has ended (MAXSTART used up, a lifetime reached) has nothing left to keep, so a
// reload starts it again; that is how an operator revives it without touching the others.
import type { TunnelDefinition } from './config/types.js';

export interface RunningTunnelKey {
  name: string;
  definitionKey: string;
  /** its machine exited: there is no ssh to keep */
  ended: boolean;
}

export interface ReloadPlan {
  /** names in the old set and not in the new file */
  stop: string[];
  /** definitions whose names are new */
  start: TunnelDefinition[];
  /** same name, a changed definition (or an ended tunnel): stop the old one, then start this */
  restart: TunnelDefinition[];
  /** same name, same definition, still running: untouched */
  keep: string[];
}

export function reloadPlan(running: readonly RunningTunnelKey[], next: readonly TunnelDefinition[]): ReloadPlan {
  const old = new Map(running.map((tunnel) => [tunnel.name, tunnel]));
  const nextNames = new Set(next.map((definition) => definition.name));
  const plan: ReloadPlan = { stop: [], start: [], restart: [], keep: [] };
  for (const tunnel of running) if (!nextNames.has(tunnel.name)) plan.stop.push(tunnel.name);
  for (const definition of next) {
    const current = old.get(definition.name);
    if (current === undefined) plan.start.push(definition);
    else if (current.ended || current.definitionKey !== definition.definitionKey) plan.restart.push(definition);
    else plan.keep.push(definition.name);
  }
  return plan;
}

/** "1 stopped, 1 started, 1 restarted, 2 unchanged", for the log */
export function describePlan(plan: ReloadPlan): string {
  return `${plan.stop.length} stopped, ${plan.start.length} started, ${plan.restart.length} restarted, ${plan.keep.length} unchanged`;
}
