// The parent a scenario's command needs and Node cannot be: a child subreaper. With `-f` the
// command's launcher exits and leaves a daemon; only a process that called
// prctl(PR_SET_CHILD_SUBREAPER) gets that orphan as its child and can wait for its exit status.
// So a small python3 (stdlib, ctypes) program launches the command the way the oracle's contract
// says (own process group, stdin /dev/null, default signal dispositions, nothing blocked, no
// core dumps), then reaps every process that ends up its child and reports each, one JSON line
// on stdout, stamped on the monotonic clock Node's process.hrtime reads too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a process ended: its exit code, or the signal that killed it. */
export type ExitStatus = { code: number } | { signal: string };

export interface LaunchSpec {
  argv: string[];
  env: Record<string, string>;
  stdoutPath: string;
  stderrPath: string;
  /** set in the command's environment to the launch instant (monotonic ms): the fake ssh's clock origin */
  t0EnvName: string;
}

export type ReaperMessage =
  | { kind: 'started'; pid: number; t0Ms: number }
  | { kind: 'spawnFailed'; error: string }
  /** orphans: for the launched process, the processes it left to the reaper as it ended */
  | { kind: 'reaped'; pid: number; atMs: number; status: ExitStatus; orphans?: number[] };

/** Given on stdin (one JSON line); then stdin's end means "kill what is left and go". */
const PYTHON = String.raw`
import ctypes, json, os, resource, signal, sys, threading, time

PR_SET_CHILD_SUBREAPER = 36
DEFAULT_SIGNALS = [signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGQUIT, signal.SIGALRM, signal.SIGCHLD]

def say(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()

def now_ms():
    return time.monotonic_ns() // 1000000

def status_of(raw):
    if os.WIFSIGNALED(raw):
        number = os.WTERMSIG(raw)
        try:
            return {'signal': signal.Signals(number).name}
        except ValueError:
            return {'signal': str(number)}
    return {'code': os.WEXITSTATUS(raw)}

def my_children():
    me, found = os.getpid(), []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
            if int(stat[stat.rindex(')') + 2:].split()[1]) == me:
                found.append(int(entry))
        except (OSError, ValueError):
            pass
    return found

def kill_everything_on_eof():
    # the runner is done (or gone): SIGKILL every process group and process left below us
    sys.stdin.read()
    for _ in range(300):
        children = my_children()
        if not children:
            return
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.01)

spec = json.loads(sys.stdin.readline())
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    say({'kind': 'spawnFailed', 'error': 'prctl(PR_SET_CHILD_SUBREAPER) failed: errno %d' % ctypes.get_errno()})
    sys.exit(1)
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
env = dict(spec['env'])
t0 = now_ms()
env[spec['t0EnvName']] = str(t0)
actions = [(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0),
           (os.POSIX_SPAWN_OPEN, 1, spec['stdoutPath'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
           (os.POSIX_SPAWN_OPEN, 2, spec['stderrPath'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
argv = spec['argv']
try:
    launch = os.posix_spawn if '/' in argv[0] else os.posix_spawnp
    pid = launch(argv[0], argv, env, file_actions=actions, setpgroup=0, setsigdef=DEFAULT_SIGNALS, setsigmask=[])
except OSError as error:
    say({'kind': 'spawnFailed', 'error': '%s: %s' % (argv[0], error.strerror)})
    sys.exit(1)
launched = pid
say({'kind': 'started', 'pid': pid, 't0Ms': t0})
threading.Thread(target=kill_everything_on_eof, daemon=True).start()
while True:
    try:
        pid, raw = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    message = {'kind': 'reaped', 'pid': pid, 'atMs': now_ms(), 'status': status_of(raw)}
    if pid == launched:
        # what the launcher left behind (a -f daemon) was made our child before its exit was
        message['orphans'] = my_children()
    say(message)
`;

/** A running reaper: its messages as they come, its pid (the parent of a detached daemon), its end. */
export class Reaper {
  readonly messages: ReaperMessage[] = [];
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private waiting: Array<() => void> = [];

  constructor(spec: LaunchSpec) {
    this.child = spawn('python3', ['-c', PYTHON], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', (error) => reject(new Error(`python3 (the oracle runner's reaper) could not start: ${error.message}`)));
      this.child.on('close', () => {
        this.wake();
        resolve();
      });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.messages.push(JSON.parse(line) as ReaperMessage);
      this.wake();
    });
    this.child.stdin!.on('error', () => {});
    this.child.stdin!.write(`${JSON.stringify(spec)}\n`);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The launch's outcome: the command's pid and t0, or why it did not start. */
  async started(): Promise<{ pid: number; t0Ms: number }> {
    for (;;) {
      const first = this.messages.find((m) => m.kind === 'started' || m.kind === 'spawnFailed');
      if (first?.kind === 'started') return first;
      if (first?.kind === 'spawnFailed') throw new Error(`cannot run the command: ${first.error}`);
      if (this.child.exitCode !== null) throw new Error(`the reaper exited (${this.child.exitCode}) before launching the command`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Kill whatever is left below it, and let it go (its stdin's end says so). */
  finish(): void {
    this.child.stdin!.end();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
