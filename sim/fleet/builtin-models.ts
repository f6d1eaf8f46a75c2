// The built-in fault models, written in the same JSON shape a user's model file uses
// (docs/fault-models.md). Their numbers are engineering estimates, not measurements of ours:
// each `source` says what the estimate rests on, so a user with real figures can replace it.
import { parseFaultModel, type FaultModel } from './fault-model.js';

export const BUILTIN_MODELS: Readonly<Record<string, unknown>> = {
  'wifi-flaky': {
    name: 'wifi-flaky',
    description: 'a machine on a busy home or office wifi: many short silent drops, a few longer ones, the odd address change',
    source: 'estimates: interference and roaming drops last seconds and come several times a day; an AP or ISP router restart '
      + 'takes minutes (typical consumer router boot 1-3 min); DHCP renewal with a new lease resets connections; the relay '
      + 'server is patched about monthly. ISP incidents affecting a neighbourhood: a few per month.',
    faults: [
      { kind: 'outage', mode: 'blackhole', perDay: 12, duration: { dist: 'lognormal', median: '8s', sigma: 1.0, max: '5m' } },
      { kind: 'outage', mode: 'blackhole', perDay: 1, duration: { dist: 'lognormal', median: '3m', sigma: 0.8, max: '1h' } },
      { kind: 'outage', mode: 'reset', perDay: 0.5, duration: { dist: 'fixed', value: '2s' } },
      { kind: 'latency', perDay: 2, addMs: 1500, duration: { dist: 'lognormal', median: '2m', sigma: 1.0, max: '30m' } },
      { kind: 'serverRestart', perDay: 0.033, duration: { dist: 'uniform', min: '30s', max: '2m' } },
    ],
    correlated: [
      { kind: 'outage', mode: 'blackhole', perDay: 0.1, fraction: 0.2, duration: { dist: 'lognormal', median: '10m', sigma: 1.0, max: '4h' } },
    ],
  },
  mobile: {
    name: 'mobile',
    description: 'a device on a cellular link: handovers, dead zones, carrier NAT rebinding, high latency spells',
    source: 'estimates: cell handovers and short coverage gaps several times an hour while moving; dead zones (tunnels, lifts) '
      + 'of minutes a few times a day; carrier-grade NAT drops idle mappings and rebinding looks to the server like a new '
      + 'client (modelled as a reset); latency spikes of around a second under load.',
    faults: [
      { kind: 'outage', mode: 'blackhole', perDay: 30, duration: { dist: 'lognormal', median: '5s', sigma: 1.0, max: '2m' } },
      { kind: 'outage', mode: 'blackhole', perDay: 3, duration: { dist: 'lognormal', median: '2m', sigma: 1.0, max: '1h' } },
      { kind: 'outage', mode: 'reset', perDay: 6, duration: { dist: 'fixed', value: '1s' } },
      { kind: 'latency', perDay: 4, addMs: 2500, duration: { dist: 'lognormal', median: '5m', sigma: 1.0, max: '1h' } },
      { kind: 'serverRestart', perDay: 0.033, duration: { dist: 'uniform', min: '30s', max: '2m' } },
    ],
    correlated: [
      { kind: 'outage', mode: 'blackhole', perDay: 0.1, fraction: 0.1, duration: { dist: 'lognormal', median: '20m', sigma: 1.0, max: '6h' } },
    ],
  },
  datacenter: {
    name: 'datacenter',
    description: 'servers in a datacenter: rare network failovers, monthly patch reboots of the relay, a rare fleet-wide incident',
    source: 'estimates: a 99.99% network availability target allows about 4.3 min of outage a month; switch or router '
      + 'failovers take tens of seconds; relay reboots for patching monthly, 1-3 min; a rare ssh crash; a provider-wide '
      + 'incident every few months hitting half the fleet.',
    faults: [
      { kind: 'outage', mode: 'blackhole', perDay: 0.02, duration: { dist: 'lognormal', median: '30s', sigma: 0.8, max: '30m' } },
      { kind: 'serverRestart', perDay: 0.033, duration: { dist: 'uniform', min: '1m', max: '3m' } },
      { kind: 'sshCrash', perDay: 0.001, signal: 'SIGSEGV' },
    ],
    correlated: [
      { kind: 'outage', mode: 'blackhole', perDay: 0.01, fraction: 0.5, duration: { dist: 'lognormal', median: '5m', sigma: 1.0, max: '2h' } },
    ],
  },
};

export function builtinModel(name: string): FaultModel | null {
  const raw = BUILTIN_MODELS[name];
  return raw === undefined ? null : parseFaultModel(raw, `built-in model ${name}`);
}
