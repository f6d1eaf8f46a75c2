// A Toxiproxy toxic on every proxy of the run, for the step's duration. "both" streams means two
// toxics, one per direction, so that a blackhole is silent both ways.
import type { ToxicSpec, ToxiproxyClient } from '../toxiproxy-client.js';
import type { ScheduleStep } from '../schedule/types.js';
import { needToxiproxy, type ActiveFault, type FaultKind, type FaultWorld } from './fault-kind.js';

/** The toxic types of Toxiproxy 2.x (and of the embedded server). */
export const TOXIC_TYPES = ['latency', 'timeout', 'reset_peer', 'bandwidth', 'slow_close', 'limit_data', 'slicer'] as const;

export function toxicSpecs(step: ScheduleStep, id: string): ToxicSpec[] {
  const streams = step.stream === 'both' ? (['downstream', 'upstream'] as const) : [step.stream];
  return streams.map((stream) => ({
    name: `${id}-${stream}`,
    type: step.type,
    stream,
    toxicity: step.toxicity,
    attributes: step.attributes,
  }));
}

export function toxicKind(type: string): FaultKind {
  return {
    type,
    description: `Toxiproxy "${type}" toxic`,
    world: 'toxiproxy',
    // Toxiproxy closes the connections a timeout toxic was holding when it is removed.
    endCloses: type === 'timeout',
    check() {},
    async start(step: ScheduleStep, world: FaultWorld, id: string): Promise<ActiveFault> {
      const toxiproxy = needToxiproxy(world, type);
      const added: Array<{ proxy: string; name: string }> = [];
      const removeAll = async (): Promise<void> => {
        // All at once: a blackhole must lift on every proxy at the same moment.
        await Promise.all(added.map(({ proxy, name }) => toxiproxy.client.removeToxic(proxy, name)));
      };
      try {
        await Promise.all(
          toxiproxy.proxies.flatMap((proxy) =>
            toxicSpecs(step, id).map(async (spec) => {
              await toxiproxy.client.addToxic(proxy, spec);
              added.push({ proxy, name: spec.name });
            }),
          ),
        );
      } catch (error) {
        await removeAll().catch(() => {});
        throw error;
      }
      return { end: removeAll };
    },
  };
}

/**
 * Adds and removes each of the step's toxics once on `proxy`, so a toxic the server rejects (e.g.
 * `"latency": "lots"`) fails the run with the server's reason before it starts, not half-way.
 */
export async function tryToxicOnce(step: ScheduleStep, toxiproxy: ToxiproxyClient, proxy: string): Promise<void> {
  for (const spec of toxicSpecs(step, `check-${step.name}`)) {
    try {
      await toxiproxy.addToxic(proxy, spec);
    } catch (error) {
      throw new Error(`schedule step "${step.name}" (${step.type} ${JSON.stringify(step.attributes)}): ${(error as Error).message}`);
    }
    await toxiproxy.removeToxic(proxy, spec.name);
  }
}
