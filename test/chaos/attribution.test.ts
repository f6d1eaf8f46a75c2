// Who ended ssh, fed with log and stderr lines as the lab records them (lab/chaos/attribution.ts).
// Times are ms on a run's clock; one fault from 1 s to 6 s, its window until 20 s.
import { describe, expect, it } from 'vitest';
import { attributeFault, classifyLine, FAULT_END_WINDOW_MS, type AttributionInput } from '../../lab/chaos/attribution.js';
import type { OutputLine, SshLife } from '../../lab/chaos/supervisor.js';

const FAULT = { startMs: 1_000, endMs: 6_000 };
const WINDOW_END_MS = 20_000;
const log = (ms: number, text: string): OutputLine => ({ ms, source: 'log', text: `2026/12/02 01:00:00 autossh-ts[42]: ${text}` });
const err = (ms: number, text: string): OutputLine => ({ ms, source: 'stderr', text });
/** The ssh that ran when the fault began, gone at `endMs` (as /proc saw it). */
const first = (endMs: number | null): SshLife => ({ pid: 100, startMs: 0, endMs });

function attribute(lines: OutputLine[], lives: SshLife[], fault: AttributionInput['fault'] = FAULT): ReturnType<typeof attributeFault> {
  return attributeFault({ fault, windowEndMs: WINDOW_END_MS, sshLives: lives, lines });
}

describe('who ended the ssh that ran when the fault began', () => {
  it("serverAlive: ssh's own Timeout line, just before it was seen gone", () => {
    const a = attribute([err(3_980, 'Timeout, server 10.215.1.2 not responding.')], [first(4_000)]);
    expect(a).toMatchObject({ endedBy: 'serverAlive', endedByRule: null, evidence: 'Timeout, server 10.215.1.2 not responding.' });
  });

  it('connectionTest: autossh logged "port down, restarting ssh", then killed it', () => {
    const a = attribute([log(2_500, 'timeout polling to accept read connection'), log(2_500, 'port down, restarting ssh')], [first(2_550)]);
    expect(a).toMatchObject({ endedBy: 'connectionTest', evidence: expect.stringContaining('port down, restarting ssh') });
  });

  it.each([
    ['connectTimeExceeded', 'ssh session not established 10 s after its start; restarting ssh'],
    ['connectTimeExceeded', 'rule connectTimeExceeded: restart ssh'],
    ['remoteForwardFailed', 'remote port forwarding failed for listen port 30000: the server still holds it for an old session'],
  ])('supervisorRule %s from the log line "%s"', (rule, text) => {
    const a = attribute([log(4_990, text)], [first(5_000)]);
    expect(a).toMatchObject({ endedBy: 'supervisorRule', endedByRule: rule, rules: { [rule]: 1 } });
  });

  it("ssh's own \"Error: remote port forwarding failed\" is ssh speaking (sshError), not a rule", () => {
    const a = attribute([err(4_990, 'Error: remote port forwarding failed for listen port 30000')], [first(5_000)]);
    expect(a).toMatchObject({ endedBy: 'sshError', endedByRule: null, rules: {} });
  });

  it("the supervisor's word wins over ssh's own error about the same end", () => {
    const lines = [err(4_990, 'Error: remote port forwarding failed for listen port 30000'), log(4_995, 'remote port forwarding failed for listen port 30000: ...')];
    expect(attribute(lines, [first(5_000)])).toMatchObject({ endedBy: 'supervisorRule', endedByRule: 'remoteForwardFailed' });
  });

  it('a network change is counted as a rule but never ends an ssh', () => {
    const lines = [log(3_000, 'network changed (link alab1-0 up): starting ssh now')];
    const a = attribute(lines, [first(3_050)]);
    expect(a.endedBy).toBe('unknown');
    expect(a.rules).toEqual({ networkChanged: 1 });
  });

  it('faultEnd: gone within the window after a fault whose end closes connections; not for one whose end does not', () => {
    const lines = [err(6_100, 'Connection to 127.0.0.1 closed by remote host.')];
    expect(attribute(lines, [first(6_120)], { ...FAULT, endCloses: true })).toMatchObject({ endedBy: 'faultEnd', evidence: expect.stringContaining('120 ms after') });
    expect(attribute(lines, [first(6_120)], { ...FAULT, endCloses: false })).toMatchObject({ endedBy: 'sshError' });
    // Later than the window: ssh's own error again.
    const late = 6_000 + FAULT_END_WINDOW_MS + 100;
    expect(attribute([err(late - 10, 'Connection closed')], [first(late)], { ...FAULT, endCloses: true })).toMatchObject({ endedBy: 'sshError' });
  });

  it('ServerAlive within a closing fault still says serverAlive (it came first)', () => {
    const a = attribute([err(5_900, 'Timeout, server 127.0.0.1 not responding.')], [first(5_950)], { ...FAULT, endCloses: true });
    expect(a.endedBy).toBe('serverAlive');
  });

  it('none: the ssh outlived the window, or none was running; unknown: it ended and nothing says why', () => {
    expect(attribute([], [first(null)])).toMatchObject({ endedBy: 'none', evidence: null });
    expect(attribute([], [first(WINDOW_END_MS + 1)]).endedBy).toBe('none');
    expect(attribute([], []).endedBy).toBe('none');
    expect(attribute([], [first(3_000)])).toMatchObject({ endedBy: 'unknown', evidence: expect.stringContaining('2000 ms into the fault') });
  });

  it('evidence from before the fault, or long before the end, is not about this end', () => {
    const lines = [err(900, 'Timeout, server 10.215.1.2 not responding.'), log(1_500, 'port down, restarting ssh')];
    expect(attribute(lines, [first(4_000)]).endedBy).toBe('unknown');
  });
});

describe('the ssh processes started after it', () => {
  it('fast failures: one sshError each, even when the pipe delivered an error after the next "starting ssh"', () => {
    // As 1.4g's log and its ssh's stderr arrived in a real stale-listener run: each "Error:" line
    // is stamped after autossh's "starting ssh" for the next ssh.
    const lines = [
      err(5_345, 'Timeout, server 10.215.1.2 not responding.'),
      log(5_369, 'ssh exited with error status 255; restarting ssh'),
      log(5_369, 'starting ssh (count 2)'),
      log(5_466, 'starting ssh (count 3)'),
      err(5_466, 'Error: remote port forwarding failed for listen port 22182'),
      log(5_620, 'starting ssh (count 4)'),
      err(5_620, 'Error: remote port forwarding failed for listen port 22182'),
      err(5_791, 'Error: remote port forwarding failed for listen port 22182'),
      log(8_108, 'starting ssh (count 5)'),
      err(8_259, 'Error: remote port forwarding failed for listen port 22182'),
      log(16_303, 'starting ssh (count 6)'),
    ];
    const lives = [first(5_369), { pid: 200, startMs: 16_313, endMs: null }];
    const a = attribute(lines, lives);
    expect(a).toMatchObject({ endedBy: 'serverAlive', laterEnds: { sshError: 4 }, rules: {} });
  });

  it("a rule's line and ssh's own error about the same end are one end; the ssh that works at the end is still running", () => {
    const lines = [
      err(3_500, 'Timeout, server 10.215.1.2 not responding.'),
      log(3_520, 'starting ssh (count 2)'),
      err(3_700, 'Error: remote port forwarding failed for listen port 30000'),
      log(3_702, 'remote port forwarding failed for listen port 30000: the server still holds it'),
      log(3_702, 'retrying the remote forward in 2 s'),
      log(5_702, 'starting ssh (count 3)'),
      err(5_900, 'Error: remote port forwarding failed for listen port 30000'),
      log(5_901, 'remote port forwarding failed for listen port 30000: the server still holds it'),
      // One more that ended without a word: its end is unknown, not ssh's errors above told again.
      log(9_901, 'starting ssh (count 4)'),
      log(12_000, 'starting ssh (count 5)'),
    ];
    const a = attribute(lines, [first(3_520), { pid: 300, startMs: 12_050, endMs: null }]);
    expect(a).toMatchObject({ endedBy: 'serverAlive', laterEnds: { supervisorRule: 2, unknown: 1 }, rules: { remoteForwardFailed: 2 } });
    expect(a.laterEnds.sshError).toBeUndefined();
  });

  it('stuck connects ended by the connect-time rule; a network change starts one without ending any', () => {
    const lines = [
      err(3_600, 'Timeout, server 10.215.1.2 not responding.'),
      log(3_600, 'starting ssh (count 2)'),
      log(13_600, 'ssh session not established 10 s after its start; restarting ssh'),
      log(13_650, 'starting ssh (count 3)'),
      log(15_000, 'network changed (link up): starting ssh now'),
    ];
    const a = attribute(lines, [first(3_620), { pid: 400, startMs: 13_650, endMs: null }]);
    expect(a.laterEnds).toEqual({ supervisorRule: 1 });
    expect(a.rules).toEqual({ connectTimeExceeded: 1, networkChanged: 1 });
  });

  it('ends with no evidence are unknown; an ssh that printed two lines as it died is one end', () => {
    const lines = [
      err(2_000, 'Timeout, server 10.215.1.2 not responding.'),
      log(2_010, 'starting ssh (count 2)'),
      err(2_100, 'kex_exchange_identification: read: Connection reset by peer'),
      err(2_100, 'Connection reset by 10.215.1.2 port 22'),
      log(2_200, 'starting ssh (count 3)'),
      log(2_400, 'starting ssh (count 4)'),
    ];
    const a = attribute(lines, [first(2_010), { pid: 500, startMs: 2_400, endMs: null }]);
    expect(a.laterEnds).toEqual({ sshError: 1, unknown: 1 });
    const quiet = attribute([log(2_010, 'starting ssh (count 2)'), log(2_200, 'starting ssh (count 3)')], [first(2_010), { pid: 501, startMs: 2_200, endMs: null }]);
    expect(quiet.laterEnds).toEqual({ unknown: 1 });
    // Two ssh failing the same way, read in one chunk: the same line twice is two ends.
    const burst = attribute(
      [
        err(2_000, 'Timeout, server 10.215.1.2 not responding.'),
        log(2_010, 'starting ssh (count 2)'),
        log(2_010, 'starting ssh (count 3)'),
        err(2_030, 'ssh: connect to host 10.215.1.2 port 2222: No route to host'),
        err(2_030, 'ssh: connect to host 10.215.1.2 port 2222: No route to host'),
        log(2_040, 'starting ssh (count 4)'),
      ],
      [first(2_010), { pid: 502, startMs: 2_040, endMs: null }],
    );
    expect(burst.laterEnds).toEqual({ sshError: 2 });
  });

  it('in a closing fault, an ssh that fails when the fault is lifted was ended by its end', () => {
    const lines = [
      err(3_000, 'Timeout, server 127.0.0.1 not responding.'),
      log(3_010, 'starting ssh (count 2)'),
      err(6_050, 'kex_exchange_identification: Connection closed by remote host'),
      log(6_060, 'starting ssh (count 3)'),
    ];
    const a = attribute(lines, [first(3_010), { pid: 600, startMs: 6_060, endMs: null }], { ...FAULT, endCloses: true });
    expect(a).toMatchObject({ endedBy: 'serverAlive', laterEnds: { faultEnd: 1 } });
  });
});

describe('lines', () => {
  it.each([
    [err(0, 'Warning: Permanently added \'[10.215.1.2]:2222\' (ED25519) to the list of known hosts.'), undefined],
    [err(0, 'Warning: remote port forwarding failed for listen port 30000'), undefined],
    [err(0, '2026/12/02 01:00:00 autossh-ts[42]: port down, restarting ssh'), undefined],
    [err(0, 'network is fine'), { cause: 'sshError' }],
    [err(0, 'ssh: connect to host 10.215.1.2 port 2222: No route to host'), { cause: 'sshError' }],
    [log(0, 'ssh exited with error status 255; restarting ssh'), undefined],
    [log(0, 'starting ssh (count 2)'), undefined],
    [log(0, 'ssh session established after 0.3 s'), undefined],
  ])('%j says %j', (line, expected) => {
    expect(classifyLine(line)).toEqual(expected);
  });
});
