// The daemon's tunnels: those of the file now, in its order (one that ended stays until a reload),
// and every one not ended for good (running or waiting to restart), those a reload is stopping
// too. Whatever the daemon asks of all its tunnels at once is asked here.
import type { SupervisorSignal } from '../machine/signals.js';
import type { TunnelDefinition } from './config/types.js';
import { DaemonTunnel, type TunnelDeps } from './daemon-tunnel.js';
import type { TunnelReport, TunnelTracker } from './status-types.js';

/** Opens every tunnel's log; the first that cannot be opened releases those opened and says why. */
export function prepareTunnels(definitions: readonly TunnelDefinition[], deps: TunnelDeps): { tunnels: DaemonTunnel[] } | { error: string } {
  const tunnels: DaemonTunnel[] = [];
  for (const definition of definitions) {
    const prepared = DaemonTunnel.prepare(definition, deps);
    if ('error' in prepared) {
      for (const tunnel of tunnels) tunnel.discard();
      return prepared;
    }
    tunnels.push(prepared);
  }
  return { tunnels };
}

export class TunnelSet {
  private inFile = new Map<string, DaemonTunnel>();
  private readonly alive = new Set<DaemonTunnel>();

  /** The file's tunnels are now these names, in this order: a fresh tunnel of that name, else the one it had. */
  adopt(names: readonly string[], fresh: readonly DaemonTunnel[]): void {
    const byName = new Map(fresh.map((tunnel) => [tunnel.name, tunnel]));
    this.inFile = new Map(names.map((name) => [name, byName.get(name) ?? this.inFile.get(name)!]));
  }

  launch(tunnels: readonly DaemonTunnel[]): void {
    for (const tunnel of tunnels) {
      this.alive.add(tunnel);
      tunnel.start();
    }
  }

  /** It ended for good. */
  ended(tunnel: DaemonTunnel): void {
    this.alive.delete(tunnel);
  }

  get(name: string): DaemonTunnel | undefined {
    return this.inFile.get(name);
  }

  /** the tunnels of the file now, in its order */
  all(): DaemonTunnel[] {
    return [...this.inFile.values()];
  }

  /** still the file's tunnel of its name (no reload replaced it) */
  isInFile(tunnel: DaemonTunnel): boolean {
    return this.inFile.get(tunnel.name) === tunnel;
  }

  get aliveCount(): number {
    return this.alive.size;
  }

  /** The signal to every tunnel not ended for good; `spareRetiring`: not to those a reload is stopping. */
  signalAlive(signal: SupervisorSignal, spareRetiring = false): void {
    for (const tunnel of this.alive) if (!(spareRetiring && tunnel.isRetiring)) tunnel.signal(signal);
  }

  async whenAllEnded(): Promise<void> {
    // bounded: nothing joins `alive` once a signal to exit came (reloads start nothing more)
    while (this.alive.size > 0) await Promise.all([...this.alive].map((tunnel) => tunnel.ended));
  }

  /** Last resort (an internal error): no ssh outlives us, no pid file stays. */
  killEverySsh(): void {
    for (const tunnel of this.alive) tunnel.kill();
  }

  /** the trackers of the tunnels in the file now (the metrics read them) */
  trackers(): TunnelTracker[] {
    return this.all().map((tunnel) => tunnel.tracker);
  }

  reports(): TunnelReport[] {
    return this.all().map((tunnel) => tunnel.tracker.report());
  }
}
