// Four consecutive free ports per scenario run ({{MPORT}}, {{MPORT+1}}, {{EPORT}}, {{EPORT+1}}),
// held against every other runner on the machine until the run ends. A free port is only free
// until someone binds it, and the supervisor binds its ports a few hundred ms after the choice, so
// each port is also claimed by a lock file naming its owner's pid. The directory and the file's
// content are the oracle harness's own convention, so both runners, running side by side (as
// scripts/oracle-conformance.sh runs them), never hand out the same port; a lock whose owner is
// dead is stale and taken over.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const LOCK_DIR = '/tmp/autossh-oracle-ports';
const LOW = 20_000;
const HIGH = 58_000;
/** bounded: blocks tried before giving up */
const MAX_TRIES = 2000;

export interface PortBlock {
  /** MPORT; EPORT is MPORT + 2 */
  base: number;
  release(): void;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function ownerAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim() || '0');
  } catch {
    return false;
  }
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files for every port of the block, or none (and nothing left behind). */
function claim(ports: readonly number[]): string[] | null {
  const taken: string[] = [];
  for (const port of ports) {
    const file = join(LOCK_DIR, String(port));
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      taken.push(file);
    } catch {
      if (!ownerAlive(file)) {
        try { unlinkSync(file); } catch { /* someone else cleared it first */ }
      }
      for (const mine of taken) unlinkSync(mine);
      return null;
    }
  }
  return taken;
}

/** A free block, starting at `preferred` (rounded to 4) when given, else at random. */
export async function allocatePortBlock(preferred?: number): Promise<PortBlock> {
  mkdirSync(LOCK_DIR, { recursive: true });
  let base = preferred ?? LOW + 4 * Math.floor(Math.random() * ((HIGH - LOW) / 4));
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const ports = [base, base + 1, base + 2, base + 3];
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) {
      const locks = claim(ports);
      if (locks) {
        return {
          base,
          release: () => {
            for (const file of locks) {
              try { unlinkSync(file); } catch { /* already gone */ }
            }
          },
        };
      }
    }
    base = base + 4 > HIGH ? LOW : base + 4;
  }
  throw new Error(`no block of 4 free ports on 127.0.0.1 between ${LOW} and ${HIGH} after ${MAX_TRIES} tries`);
}
