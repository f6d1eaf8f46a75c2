// D9's /proc evidence on real processes: a process that connects somewhere, binds its port, and
// only later listens, is seen listening only once it does; a listener of another pid on the same
// port is never taken for it. Without a port, ssh's own "Authenticated to" line, for the host
// and port the real `ssh -G` resolves.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getFreePort } from '../../lab/world/ports.js';
import { waitForExit } from '../../lab/world/processes.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { AuthLineWatch, ListenerCheck, ListenerWatch, resolveSessionPeer, socketInodesOf } from '../../src/adapters/session-evidence.js';

const PYTHON = '/usr/bin/python3';

const children: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    if (child.pid) await waitForExit(child.pid, 2_000);
  }
  for (const server of servers.splice(0)) server.close();
});

/** Our own listener: the other end of the stand-in's connection, and "another pid's" listener. */
async function listenHere(port = 0): Promise<number> {
  const server = createServer((socket) => socket.on('error', () => {}));
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

interface StandIn {
  child: ChildProcess;
  /** when it said `word` (performance.now()) */
  said: (word: string) => Promise<number>;
  /** tell it to listen now */
  listen: () => void;
}

/**
 * ssh's steps, in python: connect to the server first (a connected socket, as ssh's own), bind
 * the forward's port, say "bound"; listen when told on stdin, then say "listening".
 */
function standIn(serverPort: number, listenPort: number | null): StandIn {
  const script = [
    'import socket, sys, time',
    `c = socket.create_connection(("127.0.0.1", ${serverPort}))`,
    ...(listenPort === null
      ? ['print("connected", flush=True)']
      : [
          's = socket.socket()',
          `s.bind(("127.0.0.1", ${listenPort}))`,
          'print("bound", flush=True)',
          'sys.stdin.readline()',
          's.listen(1)',
          'print("listening", flush=True)',
        ]),
    'time.sleep(60)',
  ].join('\n');
  const child = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const heard = new Map<string, number>();
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const word of chunk.toString().split('\n')) if (word) heard.set(word, performance.now());
  });
  return {
    child,
    said: (word) => waitFor(() => heard.get(word), { timeoutMs: 10_000, intervalMs: 5, what: `the stand-in to say "${word}"` }),
    listen: () => child.stdin!.write('listen\n'),
  };
}

describe('ListenerCheck', () => {
  it('sees the process listen only once it listens, and on a port it was asked about', async () => {
    const serverPort = await listenHere();
    const listenPort = await getFreePort();
    const { child, said, listen } = standIn(serverPort, listenPort);
    const pid = child.pid!;
    const check = new ListenerCheck(pid, [listenPort]);
    const elsewhere = new ListenerCheck(pid, [listenPort + 1]);

    await said('bound');
    // connected and bound, not listening: look after look, "not yet"
    expect(socketInodesOf(pid).size).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 10; i++) {
      expect(check.look()).toBeNull();
      await sleep(20);
    }
    listen();
    await said('listening');
    expect(check.look()).toBe(listenPort);
    expect(elsewhere.look()).toBeNull();
  });

  it('never takes another process listening on the port for it', async () => {
    const serverPort = await listenHere();
    const takenPort = await listenHere(); // this process (the test) listens on it
    const listenPort = await getFreePort();
    const { child, said, listen } = standIn(serverPort, listenPort);
    await said('bound');
    listen();
    await said('listening');
    const check = new ListenerCheck(child.pid!, [takenPort]);
    expect(check.look()).toBeNull();
    // and the test's own pid does listen on it: the check is per process, not per port
    expect(new ListenerCheck(process.pid, [takenPort]).look()).toBe(takenPort);
  });

  it('does not take a socket that connects out from the port for a listener on it', async () => {
    const serverPort = await listenHere();
    const port = await getFreePort();
    const script = [
      'import socket, time',
      'c = socket.socket()',
      `c.bind(("127.0.0.1", ${port}))`,
      `c.connect(("127.0.0.1", ${serverPort}))`,
      'print("connected", flush=True)',
      'time.sleep(60)',
    ].join('\n');
    const child = spawn(PYTHON, ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    expect(new ListenerCheck(child.pid!, [port]).look()).toBeNull();
  });

  it('sees nothing of a process that is gone', async () => {
    const serverPort = await listenHere();
    const listenPort = await getFreePort();
    const { child, said, listen } = standIn(serverPort, listenPort);
    await said('bound');
    listen();
    await said('listening');
    const check = new ListenerCheck(child.pid!, [listenPort]);
    expect(check.look()).toBe(listenPort);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(check.look()).toBeNull();
  });

  it('reads the costly TCP tables only while ssh holds a socket not classified yet', async () => {
    const serverPort = await listenHere();
    const listenPort = await getFreePort();
    const stuck = standIn(serverPort, null);
    const binding = standIn(serverPort, listenPort);
    await stuck.said('connected');
    await binding.said('bound');
    const looks = 50;
    const cpuMicrosPerLook = (check: ListenerCheck): number => {
      const before = process.cpuUsage();
      for (let i = 0; i < looks; i++) expect(check.look()).toBeNull();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / looks;
    };
    // a stuck handshake: ssh's connection and its unix sockets (our stderr pipe) are classified
    // by the first look; every later look reads only /proc/PID/fd
    const stuckCheck = new ListenerCheck(stuck.child.pid!, [listenPort]);
    const settled = cpuMicrosPerLook(stuckCheck);
    expect(stuckCheck.tableReads).toBe(1);
    // a socket bound but not listening is not in the tables yet: they are read at every look
    const bindingCheck = new ListenerCheck(binding.child.pid!, [listenPort]);
    const withTables = cpuMicrosPerLook(bindingCheck);
    expect(bindingCheck.tableReads).toBe(looks);
    console.info(`ListenerCheck.look: ${settled.toFixed(0)} µs of CPU with every socket classified, ${withTables.toFixed(0)} µs reading the TCP tables`);
    // at one look per LISTEN_POLL_MS (150 ms), 1.5 ms would be 1% of a core
    expect(settled).toBeLessThan(1_500);
    binding.listen();
    await binding.said('listening');
    expect(bindingCheck.look()).toBe(listenPort);
  });
});

describe('ListenerWatch', () => {
  it('tells once, after the process listens, and not after stop()', async () => {
    const serverPort = await listenHere();
    const listenPort = await getFreePort();
    const { child, said, listen } = standIn(serverPort, listenPort);
    await said('bound');
    const told: number[] = [];
    const toldAt: number[] = [];
    const watch = new ListenerWatch(child.pid!, [listenPort], (port) => {
      told.push(port);
      toldAt.push(performance.now());
    });
    await sleep(500);
    expect(told).toEqual([]);
    listen();
    const listeningAt = await said('listening');
    await waitFor(() => told.length > 0, { timeoutMs: 3_000, what: 'the watch to tell' });
    await sleep(400);
    expect(told).toEqual([listenPort]);
    expect(toldAt[0]!).toBeGreaterThanOrEqual(listeningAt - 5);
    console.info(`ListenerWatch told ${(toldAt[0]! - listeningAt).toFixed(0)} ms after the listen`);
    expect(watch.watching).toBe(false);

    const stopped = new ListenerWatch(child.pid!, [listenPort], (port) => told.push(port));
    stopped.stop();
    await sleep(300);
    expect(told).toEqual([listenPort]);
  });
});

describe('AuthLineWatch: ssh\'s own line for the host and port `ssh -G` resolves', () => {
  // the real ssh reads its configuration: here none but the command line's
  const sshArgv = (...args: string[]): string[] => ['ssh', '-F', '/dev/null', ...args];

  it('resolves the peer as ssh does: HostName and Port applied, lowercased, ProxyJump seen', async () => {
    const never = new AbortController().signal;
    expect(await resolveSessionPeer(sshArgv('-p', '2222', '-o', 'HostName=Relay.EXAMPLE', '-N', 'tunnel@alias', 'cmd'), never))
      .toEqual({ host: 'relay.example', port: 2222, route: 'direct' });
    expect(await resolveSessionPeer(sshArgv('-J', 'hop', 'tunnel@relay.example'), never)).toEqual({ host: 'relay.example', port: 22, route: 'proxy' });
    expect(await resolveSessionPeer(['/nonexistent/ssh', 'relay.example'], never)).toEqual({ error: expect.stringContaining('ENOENT') });
  });

  it('holds a line heard before ssh -G answers, then tells once for the right one only', async () => {
    const told: string[] = [];
    const noPeer: string[] = [];
    const watch = new AuthLineWatch(sshArgv('-p', '2222', 'relay.example'), () => told.push('up'), (why) => noPeer.push(why));
    // heard at once, before ssh -G can have answered: a banner's imitation, then ssh's own
    watch.said('Authenticated to relay.example ([10.0.0.1]:22) using "publickey".');
    watch.said('Authenticated to relay.example ([10.0.0.1]:2222) using "publickey".');
    expect(told).toEqual([]);
    await waitFor(() => told.length > 0, { timeoutMs: 5_000, what: 'the watch to tell' });
    watch.said('Authenticated to relay.example ([10.0.0.1]:2222) using "publickey".');
    expect(told).toEqual(['up']);
    expect(noPeer).toEqual([]);
  });

  it('never tells for a banner\'s words, and says why when ssh -G fails', async () => {
    const told: string[] = [];
    const watch = new AuthLineWatch(sshArgv('-p', '2222', 'relay.example'), () => told.push('up'), () => {});
    await sleep(300); // ssh -G has answered
    for (const line of ['Authenticated to relay.example', 'debug1: Authentication succeeded (publickey).', 'Authenticated to bastion ([10.0.0.1]:2222) using "publickey".']) watch.said(line);
    expect(told).toEqual([]);
    watch.stop();

    const noPeer: string[] = [];
    const broken = new AuthLineWatch(['/nonexistent/ssh', 'relay.example'], () => told.push('up'), (why) => noPeer.push(why));
    broken.said('Authenticated to relay.example ([10.0.0.1]:22) using "publickey".');
    await waitFor(() => noPeer.length > 0, { timeoutMs: 5_000, what: 'the watch to say ssh -G failed' });
    expect(told).toEqual([]);
  });
});
