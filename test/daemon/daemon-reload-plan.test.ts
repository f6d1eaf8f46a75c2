// The reload plan: a name is a tunnel's identity, its definition key says whether it changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describePlan, reloadPlan, type RunningTunnelKey } from '../../src/daemon/reload-plan.js';
import { tunnelDefinition } from '../support/daemon-config.js';

const def = (name: string, host = `${name}.example`) => tunnelDefinition({ name, args: ['-M', '0', '-N', host] });
const running = (name: string, host = `${name}.example`, ended = false): RunningTunnelKey => ({
  name, definitionKey: def(name, host).definitionKey, ended,
});

describe('reloadPlan', () => {
  it('stops removed names, starts new ones, restarts changed ones and keeps the rest', () => {
    const plan = reloadPlan([running('db'), running('web'), running('mail')], [def('db'), def('web', 'web2'), def('cache')]);
    expect(plan.stop).toEqual(['mail']);
    expect(plan.start.map((d) => d.name)).toEqual(['cache']);
    expect(plan.restart.map((d) => d.name)).toEqual(['web']);
    expect(plan.restart[0]!.args).toContain('web2');
    expect(plan.keep).toEqual(['db']);
    expect(describePlan(plan)).toBe('1 stopped, 1 started, 1 restarted, 1 unchanged');
  });

  it('leaves everything alone when nothing changed', () => {
    const plan = reloadPlan([running('db'), running('web')], [def('web'), def('db')]);
    expect(plan).toEqual({ stop: [], start: [], restart: [], keep: ['web', 'db'] });
  });

  it('starts again a tunnel whose machine ended, even unchanged', () => {
    const plan = reloadPlan([running('db', 'db.example', true)], [def('db')]);
    expect(plan.restart.map((d) => d.name)).toEqual(['db']);
    expect(plan.keep).toEqual([]);
  });

  it('a rename is a stop and a start: the name is the identity', () => {
    const plan = reloadPlan([running('db', 'h')], [def('database', 'h')]);
    expect(plan.stop).toEqual(['db']);
    expect(plan.start.map((d) => d.name)).toEqual(['database']);
  });

  it('puts every old name in exactly one of stop, restart, keep and every new name in start, restart or keep', () => {
    const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
    fc.assert(
      fc.property(names, names, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (oldNames, newNames, changed, ended) => {
          const old = oldNames.map((name, i) => running(name, 'h', ended[i]!));
          const next = newNames.map((name, i) => def(name, changed[i] ? 'other' : 'h'));
          const plan = reloadPlan(old, next);
          const restarted = plan.restart.map((d) => d.name);
          expect([...plan.stop, ...restarted, ...plan.keep].sort()).toEqual([...oldNames].sort());
          expect([...plan.start.map((d) => d.name), ...restarted, ...plan.keep].sort()).toEqual([...newNames].sort());
          for (const name of plan.keep) expect(old.find((t) => t.name === name)!.ended).toBe(false);
        }),
    );
  });
});
