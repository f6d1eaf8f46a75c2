// The simulated OpenSSH, seen through replays: each behaviour it models, with the figures it
// must produce.
import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { replay } from '../../sim/replay/run-replay.js';
import { readSshOptions } from '../../sim/openssh/ssh-options.js';

function run(args: string[], facts: unknown[], extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const timeline = parseTimeline({ config: { args, env }, facts, ...extra }, 't.json');
  return replay(timeline, timeline.config);
}
const ends = (r: ReturnType<typeof run>) => r.trace.filter((e) => e.kind === 'ssh' && e.detail.includes('ended')).map((e) => [e.atMs, e.detail]);
const SA = ['-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3'];

describe('ssh options', () => {
  it('reads -o in its forms, first value wins, counts -R', () => {
    const o = readSshOptions(['ssh', '-oServerAliveInterval=10', '-o', 'serveralivecountmax 5', '-o', 'ServerAliveInterval=99',
      '-R', '1:a:2', '-R3:b:4', '-o', 'ExitOnForwardFailure=yes', '-o', 'ConnectTimeout=7', 'host', '-R', '9:x:9']);
    expect(o).toEqual({
      serverAliveIntervalSeconds: 10, serverAliveCountMax: 5, connectTimeoutSeconds: 7, exitOnForwardFailure: true,
      remoteForwards: 2, remoteListenPorts: [1, 3],
    });
    expect(readSshOptions(['ssh', 'host'])).toMatchObject({ serverAliveIntervalSeconds: 0, serverAliveCountMax: 3, connectTimeoutSeconds: null });
  });
  it('keeps each remote forward\'s listen port, in every form ssh(1) takes', () => {
    const o = readSshOptions(['ssh', '-R', '127.0.0.1:2222:localhost:22', '-R', '[::1]:2223:localhost:22', '-R', '2224',
      '-R', 'relay.example:2225', '-R', '2226:/run/local.sock', '-R', '/run/remote.sock:localhost:22', '-R', '0:localhost:80',
      '-o', 'RemoteForward 2227 localhost:22', '-o', 'RemoteForward=2228 localhost:22', 'host']);
    // a socket and a port the server picks (0) have no listen port to name
    expect(o.remoteListenPorts).toEqual([2222, 2223, 2224, 2225, 2226, 2227, 2228]);
    expect(o.remoteForwards).toBe(9);
  });
});

describe('OpenSSH in a faulty world', () => {
  it('connects after one round trip plus the handshake', () => {
    const r = run(['-M', '0', 'host'], [], { duration: '1m', world: { rttMs: 100, handshakeMs: 500 } });
    expect(r.sshRuns[0]).toMatchObject({ startMs: 0, upMs: 600 });
    expect(r.summary.downtimeMs).toBe(600);
  });
  it('ServerAlive 15 x 3: exits 255 45 s into a silent outage', () => {
    const r = run(['-M', '0', ...SA, 'host'], [{ at: '+10m', kind: 'outage', for: '5m' }], { duration: '20m' });
    expect(ends(r)[0]).toEqual([645_000, 'ssh #1 ended: exit 255 (Timeout, server not responding)']);
    expect(r.decisions[0]).toMatchObject({ atMs: 645_000, rule: 'status255' });
  });
  it('ServerAlive 10 x 5 reads the count too', () => {
    const r = run(['-M', '0', '-o', 'ServerAliveInterval=10', '-o', 'ServerAliveCountMax=5', 'host'], [{ at: '+10m', kind: 'outage', for: '5m' }], { duration: '20m' });
    expect(ends(r)[0]![0]).toBe(650_000);
  });
  it('without ServerAlive or a monitor, only TCP keepalive notices (7875 s)', () => {
    const r = run(['-M', '0', 'host'], [{ at: '+10m', kind: 'outage', for: '3h' }], { duration: '4h' });
    expect(ends(r)[0]![0]).toBe(600_000 + 7_875_000);
  });
  it('a short silent outage is survived: TCP retransmits', () => {
    const r = run(['-M', '0', ...SA, 'host'], [{ at: '+10m', kind: 'outage', for: '30s' }], { duration: '20m' });
    expect(r.summary.sshStarts).toBe(1);
    expect(r.summary.downtimeMs).toBe(440 + 30_000);
  });
  it('connects time out after the SYN retries (127 s), or ConnectTimeout', () => {
    const r = run(['-M', '0', ...SA, 'host'], [{ at: '+0s', kind: 'outage', for: '10m' }], { duration: '5m' }, { AUTOSSH_GATETIME: '0' });
    expect(ends(r)[0]![0]).toBe(127_000);
    const t = run(['-M', '0', '-o', 'ConnectTimeout=10', 'host'], [{ at: '+0s', kind: 'outage', for: '10m' }], { duration: '1m' }, { AUTOSSH_GATETIME: '0' });
    expect(ends(t).slice(0, 2).map((e) => e[0])).toEqual([10_000, 20_000]);
  });
  it('a SYN retry after the outage connects', () => {
    const r = run(['-M', '0', 'host'], [{ at: '+0s', kind: 'outage', for: '10s' }], { duration: '1m' });
    // SYNs at 0, 1, 3, 7, 15 s: the one at 15 s is answered
    expect(r.sshRuns[0]!.upMs).toBe(15_000 + 40 + 400);
  });
  it('the loop monitor fails after netTimeout, the echo form after twice that', () => {
    const loop = run(['-M', '20000', 'host'], [{ at: '+5m', kind: 'outage', for: '1h' }], { duration: '15m' });
    const due = loop.decisions.find((d) => d.rule === 'connectionTestFailed')!;
    expect(due.detail).toContain('timeout polling to accept read connection');
    // first poll at 600 s, test gives up 15 s later
    expect(due.atMs).toBe(615_000);
    const echo = run(['-M', '20000:7', 'host'], [{ at: '+5m', kind: 'outage', for: '1h' }], { duration: '15m' });
    expect(echo.decisions.find((d) => d.rule === 'connectionTestFailed')!.atMs).toBe(630_000);
  });
  it('auth failure on the first run: 1.4g gives up inside the gate', () => {
    const r = run(['-M', '0', 'host'], [{ at: '+0s', kind: 'authFailure', for: '1h' }], { duration: '2h' });
    expect(r.summary).toMatchObject({ sshStarts: 1, exitCode: 1 });
    expect(r.decisions.map((d) => d.rule)).toEqual(['exitedInsideGate']);
  });
  it('auth failure later is retried like a lost connection', () => {
    const r = run(['-M', '0', 'host'], [{ at: '+1h', kind: 'serverRestart', for: '10s' }, { at: '+1h', kind: 'authFailure', for: '10m' }], { duration: '2h' });
    expect(r.summary.exitCode).toBeNull();
    expect(r.summary.sshStarts).toBeGreaterThan(5);
  });
  it('a still-bound remote port: ExitOnForwardFailure exits 255, without it the tunnel stays broken', () => {
    const facts = [{ at: '+10m', kind: 'serverRestart', for: '1s' }, { at: '+10m', kind: 'remotePortBound', for: '5m' }];
    const eoff = run(['-M', '0', '-o', 'ExitOnForwardFailure=yes', '-R', '2222:localhost:22', 'host'], facts, { duration: '30m' });
    expect(ends(eoff).some(([, d]) => String(d).includes('remote port forwarding failed'))).toBe(true);
    // each ssh exits 255 at once; 1.4g's grace time spaces the retries out
    expect(eoff.summary.recoveries[1]!.recoverMs).toBeLessThan(5 * 60_000);
    const plain = run(['-M', '0', '-R', '2222:localhost:22', 'host'], facts, { duration: '30m' });
    // ssh stays up with no forward, nobody notices: down until the end
    expect(plain.summary.recoveries[1]!.recoverMs).toBeNull();
    expect(plain.summary.downtimeMs).toBeGreaterThan(19 * 60_000);
  });
  it('a reset and a server restart end ssh at once', () => {
    const r = run(['-M', '0', 'host'], [{ at: '+1m', kind: 'outage', mode: 'reset', for: '1s' }, { at: '+5m', kind: 'serverRestart', for: '1s' }], { duration: '10m' }, { AUTOSSH_GATETIME: '0' });
    expect(ends(r).filter(([, d]) => !String(d).includes('refused')).map((e) => e[0])).toEqual([60_000, 300_000]);
  });
  it('latency beyond the net timeout fails the test', () => {
    const r = run(['-M', '20000', 'host'], [{ at: '+1m', kind: 'latency', addMs: 8000, for: '20m' }], { duration: '15m' });
    expect(r.decisions[0]).toMatchObject({ rule: 'connectionTestFailed', atMs: 615_000 });
  });
  it('stale flows: the open session is dead for good, even after a 1 ms address change; the next ssh works', () => {
    const r = run(['-M', '0', ...SA, 'host'], [{ at: '+10m', kind: 'outage', mode: 'stale-flows', for: '1ms' }], { duration: '20m' });
    expect(ends(r)).toEqual([[645_000, 'ssh #1 ended: exit 255 (Timeout, server not responding)']]);
    expect(r.sshRuns[1]).toMatchObject({ startMs: 645_000, upMs: 645_440, endMs: null });
    // idle, no ServerAlive: only TCP keepalive (7875 s) notices
    const idle = run(['-M', '0', 'host'], [{ at: '+10m', kind: 'outage', mode: 'stale-flows', for: '1ms' }], { duration: '3h' });
    expect(ends(idle)[0]![0]).toBe(600_000 + 7_875_000);
    // a connection test pushes data into it: it fails, and the machine restarts ssh
    const tested = run(['-M', '20000', 'host'], [{ at: '+5m', kind: 'outage', mode: 'stale-flows', for: '1ms' }], { duration: '15m' });
    expect(tested.decisions[0]).toMatchObject({ rule: 'connectionTestFailed', atMs: 615_000 });
  });
  it('stale flows: a server restart\'s FIN is lost with the flow; the server restart still refuses new ssh', () => {
    const r = run(['-M', '0', ...SA, 'host'], [
      { at: '+10m', kind: 'outage', mode: 'stale-flows', for: '1ms' }, { at: '+10m10s', kind: 'serverRestart', for: '1m' },
    ], { duration: '20m' }, { AUTOSSH_GATETIME: '0' });
    expect(ends(r)[0]).toEqual([645_000, 'ssh #1 ended: exit 255 (Timeout, server not responding)']);
    expect(ends(r)[1]).toEqual([645_040, 'ssh #2 ended: exit 255 (connect: Connection refused)']);
  });
  it('the link down: connects fail at once, an open session hears silence and survives a short drop', () => {
    const r = run(['-M', '0', ...SA, 'host'], [{ at: '+10m', kind: 'outage', mode: 'link', for: '5m' }], { duration: '20m' }, { AUTOSSH_GATETIME: '0' });
    expect(ends(r).slice(0, 3)).toEqual([
      [645_000, 'ssh #1 ended: exit 255 (Timeout, server not responding)'],
      [645_000, 'ssh #2 ended: exit 255 (connect: Network is unreachable)'],
      [645_000, 'ssh #3 ended: exit 255 (connect: Network is unreachable)'],
    ]);
    const short = run(['-M', '0', ...SA, 'host'], [{ at: '+10m', kind: 'outage', mode: 'link', for: '30s' }], { duration: '20m' });
    expect(short.summary).toMatchObject({ sshStarts: 1, downtimeMs: 440 + 30_000 });
  });
  it('a crash and an operator signal', () => {
    const r = run(['-M', '0', 'host'], [{ at: '+5m', kind: 'sshCrash', signal: 'SIGSEGV' }, { at: '+8m', kind: 'signal', signal: 'SIGTERM' }], { duration: '10m' });
    expect(r.decisions.map((d) => d.rule)).toEqual(['killedBySignal']);
    expect(r.summary).toMatchObject({ sshStarts: 2, exitCode: 1, exitAtMs: 480_000 });
  });
});
