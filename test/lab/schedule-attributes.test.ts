// A schedule step's toxic attributes are checked against the toxic's own: Toxiproxy silently
// ignores one it does not know, so a typo would make a fault that does nothing.
import { describe, expect, it } from 'vitest';
import { builtinSchedule, builtinScheduleNames } from '../../lab/chaos/schedule/builtin.js';
import { parseSchedule } from '../../lab/chaos/schedule/parse.js';

describe('schedule step attributes', () => {
  it('refuses an attribute the toxic does not have, naming the ones it has', () => {
    expect(() => parseSchedule([{ type: 'latency', duration: '1s', attributes: { latncy: 500 } }]))
      .toThrow('step 1: "attributes": unknown attribute "latncy"; latency has latency, jitter');
    expect(() => parseSchedule([{ type: 'timeout', duration: '1s' }, { type: 'slicer', duration: '1s', attributes: { average_size: 1, size: 2 } }]))
      .toThrow('step 2: "attributes": unknown attribute "size"; slicer has average_size, size_variation, delay');
  });

  it('refuses attributes on a step that is not a toxic', () => {
    expect(() => parseSchedule([{ type: 'link-down', duration: '1s', attributes: { latency: 1 } }]))
      .toThrow('step 1: "attributes": unknown attribute "latency"; link-down takes no attributes');
  });

  it('takes the attributes each toxic has, and every built-in schedule', () => {
    expect(parseSchedule([{ type: 'latency', duration: '1s', attributes: { latency: 5, jitter: 1 } }]).steps[0]!.attributes).toEqual({ latency: 5, jitter: 1 });
    for (const name of builtinScheduleNames()) expect(builtinSchedule(name)?.steps.length).toBeGreaterThan(0);
  });
});
