// The network-namespace world of `autossh-lab chaos`: schedule files with its step types and
// settings, the choice of world, the supervisors' command line and environment in it; then the
// namespace itself for real (root): the link fault, the FIELD-NOTES flow-freeze recipe, and a
// teardown that leaves nothing in the root namespace.
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSchedule } from '../../lab/chaos/schedule/parse.js';
import { builtinSchedule } from '../../lab/chaos/schedule/builtin.js';
import { findFaultKind, worldForSteps } from '../../lab/chaos/faults/index.js';
import { checkWorldPlan } from '../../lab/chaos/world.js';
import { supervisorArgv, supervisorEnv } from '../../lab/chaos/supervisor-command.js';
import type { SshServer } from '../../lab/chaos/ssh-server.js';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { freezeFlows, installFlowTracking, listFlowRules, thawFlows } from '../../lab/world/flow-freeze.js';
import { createServerNetns, type ServerNetns } from '../../lab/world/netns.js';

describe('schedule files for the namespace world', () => {
  it('reads flow-freeze and link-down steps and the schedule-level forward, recoveryTimeout and env', () => {
    const s = parseSchedule({
      forward: 'remote',
      recoveryTimeout: '12s',
      env: { AUTOSSH_CONNECTTIME: 10, AUTOSSH_FORWARDCHECK: '1' },
      steps: [{ type: 'flow-freeze', at: '2s', duration: '25s' }, { type: 'link-down', at: '40s', duration: '5s' }],
    });
    expect(s).toMatchObject({ forward: 'remote', recoveryTimeoutMs: 12_000, env: { AUTOSSH_CONNECTTIME: '10', AUTOSSH_FORWARDCHECK: '1' } });
    expect(s.steps.map((step) => [step.type, step.atMs, step.durationMs])).toEqual([['flow-freeze', 2_000, 25_000], ['link-down', 40_000, 5_000]]);
    // Defaults: a -L tunnel, the lab's recovery timeout, nothing set.
    expect(parseSchedule([{ type: 'timeout', duration: '1s' }])).toMatchObject({ forward: 'local', recoveryTimeoutMs: undefined, env: {} });
  });

  it.each([
    [{ forward: 'sideways', steps: [{ type: 'flow-freeze', duration: '1s' }] }, /"forward" must be one of local, remote/],
    [{ recoveryTimeout: 'soon', steps: [{ type: 'flow-freeze', duration: '1s' }] }, /"recoveryTimeout": expected milliseconds or a time like/],
    [{ recoveryTimeout: 0, steps: [{ type: 'flow-freeze', duration: '1s' }] }, /"recoveryTimeout" must be more than 0/],
    [{ env: { PATH: '/tmp' }, steps: [{ type: 'flow-freeze', duration: '1s' }] }, /"env": "PATH" cannot be set here \(only AUTOSSH_\* settings\)/],
    [{ env: { AUTOSSH_LOGFILE: '/tmp/x' }, steps: [{ type: 'flow-freeze', duration: '1s' }] }, /"env": "AUTOSSH_LOGFILE" cannot be set here \(the lab sets it\)/],
    [{ env: { AUTOSSH_POLL: { s: 1 } }, steps: [{ type: 'flow-freeze', duration: '1s' }] }, /"env": AUTOSSH_POLL expected a string or a number, got an object/],
    [{ steps: [{ type: 'flow-frezee', duration: '1s' }] }, /step 1: unknown type "flow-frezee"; expected one of .*flow-freeze, link-down/],
  ])('rejects %j', (doc, message) => {
    expect(() => parseSchedule(doc)).toThrow(message);
  });

  it('the steps choose the world; a schedule that needs both is refused, naming a step of each', () => {
    const steps = (...types: string[]) => parseSchedule({ steps: types.map((type, i) => ({ type, name: `s${i + 1}`, at: i * 10_000, duration: '1s' })) }).steps;
    expect(worldForSteps(steps('timeout', 'server-restart'))).toBe('toxiproxy');
    expect(worldForSteps(steps('server-restart'))).toBe('toxiproxy');
    expect(worldForSteps(steps('flow-freeze', 'server-restart', 'link-down'))).toBe('netns');
    expect(() => worldForSteps(steps('latency', 'flow-freeze'))).toThrow(
      'step "s2" (flow-freeze) needs the network-namespace world and step "s1" (latency) needs Toxiproxy\'s; one run has one world: put them in two schedules',
    );
  });

  it('the namespace world runs its own sshd and echo service: --target and --echo are refused; -R needs the own sshd', () => {
    const target = { user: 'u', host: 'h', port: 22 };
    expect(() => checkWorldPlan({ kind: 'netns', target, echoAddress: undefined, forward: 'local' })).toThrow(/--target cannot be used/);
    expect(() => checkWorldPlan({ kind: 'netns', target: undefined, echoAddress: '10.0.0.1:7', forward: 'local' })).toThrow(/--echo cannot be used/);
    expect(() => checkWorldPlan({ kind: 'toxiproxy', target, echoAddress: undefined, forward: 'remote' })).toThrow(/a -R schedule needs the lab's own sshd/);
    expect(() => checkWorldPlan({ kind: 'toxiproxy', target, echoAddress: undefined, forward: 'local' })).not.toThrow();
  });

  it('only a timeout toxic closes what it held when it ends (attribution\'s faultEnd); the pause forms do not', () => {
    expect(findFaultKind('timeout')!.endCloses).toBe(true);
    for (const type of ['latency', 'flow-freeze', 'link-down', 'server-restart', 'proxy-down']) expect(findFaultKind(type)!.endCloses, type).toBe(false);
    for (const name of ['blackhole-pause', 'flap-pause']) {
      const [step] = builtinSchedule(name)!.steps;
      expect(step).toMatchObject({ type: 'latency', attributes: { latency: 3_600_000, jitter: 0 } });
    }
  });

  it('the new built-ins: their world, forward and settings', () => {
    const world = (name: string) => worldForSteps(builtinSchedule(name)!.steps);
    expect(builtinSchedule('stuck-handshake')).toMatchObject({ forward: 'local', env: { AUTOSSH_CONNECTTIME: '10' }, recoveryTimeoutMs: 12_000 });
    expect(builtinSchedule('stale-listener')).toMatchObject({ forward: 'remote', env: { AUTOSSH_FORWARDCHECK: '1' } });
    expect(builtinSchedule('link-flap')).toMatchObject({ forward: 'local', env: { AUTOSSH_NETWATCH: '1' } });
    expect(['stuck-handshake', 'stale-listener', 'link-flap'].map(world)).toEqual(['netns', 'netns', 'netns']);
    expect(['blackhole', 'blackhole-pause', 'flap', 'flap-pause'].map(world)).toEqual(['toxiproxy', 'toxiproxy', 'toxiproxy', 'toxiproxy']);
  });
});

describe("a supervisor's command line and environment", () => {
  const server: SshServer = { host: '10.215.1.2', port: 2222, own: true, user: 'root', clientArgs: ['-F', '/dev/null'], control: undefined };

  it('connects straight to the namespace sshd; a -R forward from the server back to ours', async () => {
    const argv = await supervisorArgv({ label: 'a', cmd: ['autossh'] }, ['-M', '0'], {
      index: 0,
      server,
      connect: { host: '10.215.1.2', port: 2222 },
      forward: { kind: 'remote', listenPort: 25000, localPort: 40000 },
      echoPort: 7,
    });
    expect(argv).toEqual(['autossh', '-M', '0', '-F', '/dev/null', '-p', '2222', '-N', '-R', '127.0.0.1:25000:127.0.0.1:40000', 'root@10.215.1.2']);
  });

  it("a compared command's own -o comes first, so it wins over the lab's (1.4g without ExitOnForwardFailure)", async () => {
    const argv = await supervisorArgv({ label: 'b', cmd: ['autossh', '-o', 'ExitOnForwardFailure=no'] }, [], {
      index: 1,
      server: { ...server, clientArgs: ['-o', 'ExitOnForwardFailure=yes'] },
      connect: { host: '127.0.0.1', port: 3000 },
      forward: { kind: 'local', listenPort: 4000, farEnd: '127.0.0.1:7' },
      echoPort: 7,
    });
    expect(argv.indexOf('ExitOnForwardFailure=no')).toBeLessThan(argv.indexOf('ExitOnForwardFailure=yes'));
    expect(argv.slice(-3)).toEqual(['-L', '127.0.0.1:4000:127.0.0.1:7', 'root@127.0.0.1']);
  });

  it("the schedule's settings under the lab environment's AUTOSSH_* and the caller's; the log file always the lab's", () => {
    const saved = process.env.AUTOSSH_POLL;
    process.env.AUTOSSH_POLL = '30';
    try {
      const env = supervisorEnv('/tmp/lab.log', { AUTOSSH_NETWATCH: '0' }, { AUTOSSH_POLL: '5', AUTOSSH_NETWATCH: '1', AUTOSSH_CONNECTTIME: '10' });
      expect(env).toMatchObject({ AUTOSSH_POLL: '30', AUTOSSH_NETWATCH: '0', AUTOSSH_CONNECTTIME: '10', AUTOSSH_LOGFILE: '/tmp/lab.log', AUTOSSH_GATETIME: '0' });
    } finally {
      if (saved === undefined) delete process.env.AUTOSSH_POLL;
      else process.env.AUTOSSH_POLL = saved;
    }
  });
});

/** Resolves with what happened to a connect: 'connected', an error code, or 'stalled' after `ms`. */
function tryConnect(host: string, port: number, ms: number): Promise<{ outcome: string; socket?: Socket }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => resolve({ outcome: 'stalled', socket }), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ outcome: 'connected', socket });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ outcome: e.code ?? e.message });
    });
  });
}

/** Writes a line and resolves with whether it came back within `ms`. */
function echoes(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const line = `x${Math.random()}\n`;
    let got = '';
    const onData = (c: Buffer): void => {
      got += c.toString();
      if (got.includes(line)) done(true);
    };
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('data', onData);
    socket.write(line);
  });
}

const rootState = (): string => execFileSync('ip', ['-o', 'addr']).toString() + execFileSync('ip', ['route', 'show', 'table', 'all']).toString() + execFileSync('ip', ['netns', 'list']).toString();

describe.runIf(process.getuid?.() === 0)('the server namespace, for real', () => {
  let net: ServerNetns | undefined;
  let echo: EchoServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await echo?.stop();
    await net?.destroy();
    echo = undefined;
    net = undefined;
  });

  it('joins the root namespace over a veth; link down fails connects at once; destroy leaves nothing behind', async () => {
    net = await createServerNetns();
    echo = await startEchoServer({ netns: net.ns, host: net.serverAddr });
    expect(net.subnet).toMatch(/^10\.215\.\d+\.\d+\/30$/);
    expect(rootState()).toContain(`${net.rootAddr}/30`);
    const up = await tryConnect(net.serverAddr, echo.port, 2_000);
    sockets.push(up.socket!);
    expect(up.outcome).toBe('connected');
    expect(await echoes(up.socket!, 2_000)).toBe(true);

    await net.linkDown();
    // The fallback route: no route to host at once, never out of the default route.
    const started = Date.now();
    expect((await tryConnect(net.serverAddr, echo.port, 2_000)).outcome).toBe('EHOSTUNREACH');
    expect(Date.now() - started).toBeLessThan(500);
    await net.linkUp();
    const again = await tryConnect(net.serverAddr, echo.port, 2_000);
    sockets.push(again.socket!);
    expect(again.outcome).toBe('connected');

    const { rootDev, subnet } = net;
    for (const s of sockets.splice(0)) s.destroy();
    await echo.stop();
    echo = undefined;
    await net.destroy();
    net = undefined;
    // (Not compared with the state before: other runs on this machine may come and go meanwhile.)
    const after = rootState();
    expect(after).not.toContain(rootDev);
    // The /30 of the addresses and of the unreachable fallback route.
    expect(after).not.toContain(subnet);
  });

  it('flow-freeze: open flows die silently and new connects stall; after it, new flows work and the old one stays dead', async () => {
    net = await createServerNetns();
    await installFlowTracking(net);
    echo = await startEchoServer({ netns: net.ns, host: net.serverAddr });
    const old = await tryConnect(net.serverAddr, echo.port, 2_000);
    sockets.push(old.socket!);
    expect(await echoes(old.socket!, 2_000)).toBe(true);

    await freezeFlows(net, echo.port);
    expect(await listFlowRules(net)).toMatch(new RegExp(`tcp dport ${echo.port} ct mark set 0x00000001 drop`));
    expect(await echoes(old.socket!, 1_000)).toBe(false);
    const during = await tryConnect(net.serverAddr, echo.port, 1_500);
    if (during.socket) sockets.push(during.socket);
    expect(during.outcome).toBe('stalled');

    await thawFlows(net);
    expect(await listFlowRules(net)).toMatch(/ct mark 0x00000001 drop\s+ct state established,related,new accept/);
    const fresh = await tryConnect(net.serverAddr, echo.port, 2_000);
    sockets.push(fresh.socket!);
    expect(fresh.outcome).toBe('connected');
    expect(await echoes(fresh.socket!, 2_000)).toBe(true);
    // Marked for good: the line written during the freeze is retransmitted and still dropped.
    expect(await echoes(old.socket!, 2_500)).toBe(false);
  });
});
