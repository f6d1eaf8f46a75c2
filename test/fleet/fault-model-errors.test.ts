// A fault-model file is strict: every mistake, an unknown field included, is named with the file
// and its JSON path, before any tunnel is simulated.
import { describe, expect, it } from 'vitest';
import { FaultModelError, parseFaultModel } from '../../sim/fleet/fault-model.js';

const fixed = { dist: 'fixed', value: '1s' };
const messageFor = (model: unknown): string => {
  try {
    parseFaultModel(model, 'm.json');
  } catch (error) {
    if (error instanceof FaultModelError) return error.message;
    throw error;
  }
  throw new Error('expected a FaultModelError');
};

describe('fault-model errors', () => {
  it('names a missing field', () => {
    expect(messageFor({ name: 'x', faults: [{ kind: 'latency', perDay: 1, duration: fixed }] }))
      .toBe('m.json: $.faults[0].addMs: expected a number in [0, 600000], but it is missing');
    expect(messageFor({ faults: [] })).toBe('m.json: $.name: expected a string, but it is missing');
  });

  it('names a wrong type and what was found', () => {
    expect(messageFor({ name: 'x', faults: [{ kind: 'outage', perDay: 'often', duration: fixed }] }))
      .toBe('m.json: $.faults[0].perDay: expected a number in [0, 10000], got "often"');
    expect(messageFor({ name: 'x', correlated: [{ kind: 'outage', perDay: 1, fraction: 1, duration: { dist: 'fixed', value: 30 } }] }))
      .toBe('m.json: $.correlated[0].duration.value: expected a duration like "30s" or "5m", got 30');
    expect(messageFor({ name: 'x', faults: [{ kind: 'meteor', perDay: 1 }] }))
      .toBe('m.json: $.faults[0].kind: expected one of outage, serverRestart, authFailure, remotePortBound, latency, sshCrash, got "meteor"');
  });

  it('rejects an unknown field, saying which and where', () => {
    expect(messageFor({ name: 'x', faults: [], comment: 'hi' }))
      .toBe('m.json: $.comment: unknown field (known: name, description, source, faults, correlated)');
    // a typo is named, not the field it leaves missing
    expect(messageFor({ name: 'x', faults: [{ kind: 'outage', perday: 1, duration: fixed }] }))
      .toBe('m.json: $.faults[0].perday: unknown field (known: kind, mode, perDay, duration)');
    // a field another kind takes is unknown to this one
    expect(messageFor({ name: 'x', faults: [{ kind: 'outage', perDay: 1, duration: fixed, addMs: 300 }] }))
      .toBe('m.json: $.faults[0].addMs: unknown field (known: kind, mode, perDay, duration)');
    expect(messageFor({ name: 'x', faults: [{ kind: 'outage', perDay: 1, duration: { ...fixed, mean: '1s' } }] }))
      .toBe('m.json: $.faults[0].duration.mean: unknown field (known: dist, value)');
  });

  it('checks values against each other', () => {
    expect(messageFor({ name: 'x', faults: [{ kind: 'outage', perDay: 1, duration: { dist: 'uniform', min: '5s', max: '1s' } }] }))
      .toBe('m.json: $.faults[0].duration.max: expected at least min (5s), got 1s');
  });
});
