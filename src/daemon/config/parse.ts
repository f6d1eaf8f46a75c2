// The daemon's file, as text -> DaemonConfig, or a ConfigFileError naming the file, the line and
// the first problem. Pure: no I/O, no clock, no process environment; load.ts reads the file.
import { parse as parseToml, TomlError } from 'smol-toml';
import { readFileSettings, type TunnelEntry } from './document.js';
import { scanKeyLines } from './key-lines.js';
import { Locator } from './locator.js';
import { findPortClash } from './port-clashes.js';
import { defineTunnel } from './tunnel-definition.js';
import { ConfigFileError, type DaemonConfig } from './types.js';

export function parseDaemonConfig(text: string, path: string): DaemonConfig {
  let doc;
  try {
    doc = parseToml(text, { unsafeKeyBehaviour: 'throw' });
  } catch (error) {
    if (error instanceof TomlError) {
      const problem = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigFileError(path, error.line, `not valid TOML: ${problem} (column ${error.column})`);
    }
    throw error;
  }
  const at = new Locator(path, scanKeyLines(text));
  const settings = readFileSettings(doc, at);
  refuseDuplicateNames(settings.tunnels, at);
  const tunnels = settings.tunnels.map((entry) => defineTunnel(entry, settings.defaultsEnv, at, settings.defaultsRestart));
  const clash = findPortClash(
    tunnels.map((tunnel, i) => ({ name: tunnel.name, line: at.lineOf(['tunnel', i, 'args']), config: tunnel.config })),
    settings.status,
    at.lineOf(['status', 'listen']),
  );
  if (clash !== null) at.failAtLine(clash.line, clash.problem);
  return { path, status: settings.status, logFormat: settings.logFormat, tunnels };
}

function refuseDuplicateNames(entries: readonly TunnelEntry[], at: Locator): void {
  const first = new Map<string, TunnelEntry>();
  for (const entry of entries) {
    const earlier = first.get(entry.name);
    if (earlier === undefined) {
      first.set(entry.name, entry);
      continue;
    }
    const earlierLine = at.lineOf(['tunnel', earlier.index, 'name']);
    const where = earlierLine === null ? '' : ` (first at line ${earlierLine})`;
    at.fail(['tunnel', entry.index, 'name'], `tunnel name "${entry.name}" is used twice${where}: names must be unique, a name is the tunnel's identity`);
  }
}
