// Every JSON file the lab reads is checked for its shape before its schema: nested past any
// format's depth (the parser used to overflow its stack on a scenario 100,000 arrays deep) or
// holding a "__proto__" key (which JSON keeps as a field and an object copy takes as its
// prototype: the key vanished, and with it what the file said) is refused, naming file and field.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSchedule } from '../../lab/chaos/schedule/parse.js';
import { loadFaultModel } from '../../sim/fleet/load-model.js';
import { loadScenario } from '../../sim/oracle/scenario.js';
import { applyConfigSpec, withSettings } from '../../sim/replay/config-spec.js';
import { loadTimeline } from '../../sim/timeline/load.js';

const dir = mkdtempSync(join(tmpdir(), 'json-shape-'));
// a sparse file of 257 MiB among them: removed, not left in /tmp
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** `text` as a file: raw JSON, so a "__proto__" key is written as the user wrote it */
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const TOO_DEEP = 'nested more than 64 levels deep (arrays and objects); no field of this format goes that deep';
const PROTO = 'a key named "__proto__" is refused: it would be read as the object\'s prototype, not as a field';

describe('a document nested too deep', () => {
  it('autossh-lab scenario names the file and the field, exit 2, no stack overflow', () => {
    const deep = file('deep.scenario.json', `{"name":"x","args":["host"],"ssh":${nested(100_000)}}`);
    const run = spawnSync(process.execPath, ['dist/lab/cli/lab.js', 'scenario', deep], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe(`autossh-lab: ${deep}: $.ssh[0][0][0][0][0][0][0].…: ${TOO_DEEP}\n`);
    expect(run.status).toBe(2);
  });

  it('every format says the same, from the file\'s own path', () => {
    expect(() => loadTimeline(file('deep.json', `{"config":{"args":["host"]},"description":${nested(100)}}`)))
      .toThrow(`deep.json: $.description[0][0][0][0][0][0][0].…: ${TOO_DEEP}`);
    expect(() => loadSchedule(file('deep-schedule.json', `[{"type":"latency","duration":"1s","attributes":{"latency":${nested(65)}}}]`)))
      .toThrow(`deep-schedule.json: $[0].attributes.latency[0][0][0][0][0].…: ${TOO_DEEP}`);
    expect(() => loadFaultModel(file('deep-model.json', `{"name":"m","faults":${nested(70)}}`)))
      .toThrow(`deep-model.json: $.faults[0][0][0][0][0][0][0].…: ${TOO_DEEP}`);
    // as deep as a format may go is fine: a note 60 levels deep is read (and ignored, as notes are)
    expect(loadTimeline(file('note.json', `{"config":{"args":["host"]},"facts":[{"at":"1m","kind":"sshCrash","note":${nested(60)}}]}`)).facts).toHaveLength(1);
  });
});

describe('a "__proto__" key', () => {
  it('in a timeline\'s or a scenario\'s env is refused, not ignored', () => {
    expect(() => loadTimeline(file('t.json', '{"config":{"args":["-M","0","host"],"env":{"__proto__":"1"}}}')))
      .toThrow(`t.json: $.config.env.__proto__: ${PROTO}`);
    expect(() => loadScenario(file('s.json', '{"name":"s","args":["host"],"env":{"__proto__":{"AUTOSSH_POLL":"1"}}}')))
      .toThrow(`s.json: $.env.__proto__: ${PROTO}`);
  });

  it('anywhere else a lab file holds keys (toxic attributes, a fault model, a --compare file)', () => {
    expect(() => loadSchedule(file('p.json', '[{"type":"latency","duration":"1s","attributes":{"__proto__":{"latency":5}}}]')))
      .toThrow(`p.json: $[0].attributes.__proto__: ${PROTO}`);
    expect(() => loadFaultModel(file('m.json', '{"name":"m","__proto__":{}}'))).toThrow(`m.json: $.__proto__: ${PROTO}`);
    const base = { name: 't', args: ['host'], env: {} };
    expect(() => applyConfigSpec(base, file('c.json', '{"args":["host"],"env":{"__proto__":"1"}}')))
      .toThrow(`c.json: $.env.__proto__: ${PROTO}`);
  });

  it('as --set __proto__=VALUE', () => {
    expect(() => withSettings({ name: 't', args: ['host'], env: {} }, ['__proto__=1']))
      .toThrow('--set "__proto__=1": "__proto__" is not an environment variable');
  });
});

describe('an input that never ends', () => {
  // readFileSync reads a device until memory runs out; the lab reads no further than its bound
  it('is refused at the format\'s bound, for each command that reads JSON', () => {
    const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8', timeout: 10_000 });
    const cases: Array<[string[], string]> = [
      [['scenario', '/dev/zero'], '/dev/zero: larger than 16 MiB, the most this reads'],
      [['chaos', '--schedule', '/dev/zero'], '/dev/zero: larger than 4 MiB, the most this reads'],
    ];
    for (const [args, message] of cases) {
      const run = lab(...args);
      expect(run.stderr).toBe(`autossh-lab: ${message}\n`);
      expect(run.status).toBe(2);
    }
  });

  it('a timeline file past its bound (256 MiB) is refused', () => {
    const huge = join(dir, 'huge.json');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 257 * 1024 * 1024); // sparse: nothing written
    closeSync(fd);
    expect(() => loadTimeline(huge)).toThrow(`huge.json: $: expected a timeline of at most 256 MiB, got a file larger than 256 MiB, the most this reads`);
  });
});
