// Real headless Chromium (Debian's `chromium`) for the report test: a page written to a temp
// file, loaded, its scripts run, and the DOM as it then stands returned. No fallback: a machine
// without Chromium fails the test with the command that installs it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The browser to run; CHROMIUM names another binary. */
const BINARY = process.env['CHROMIUM'] ?? 'chromium';
const TIMEOUT_MS = 30_000;

export const INSTALL_HINT = 'headless Chromium is needed to check the HTML reports: apt-get install -y --no-install-recommends chromium '
  + '(scripts/setup.sh installs it), or set CHROMIUM to its binary';

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(BINARY, args, { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error(`${BINARY}: not found. ${INSTALL_HINT}`));
      else if (error) reject(new Error(`${BINARY} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'];

/** The DOM of `html` after Chromium loaded it and ran its scripts. */
export async function dumpDom(html: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'report-dom-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    return await run([...FLAGS, `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${file}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PNG of `html` at `out` (docs/reports/*.png are made with it). */
export async function screenshot(html: string, out: string, size = '1400,1000'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'report-shot-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    await run([...FLAGS, `--user-data-dir=${join(dir, 'profile')}`, '--hide-scrollbars', `--screenshot=${out}`, `--window-size=${size}`, `file://${file}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
