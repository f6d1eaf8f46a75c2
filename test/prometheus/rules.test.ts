// The shipped alert rules (contrib/prometheus/autossh-ts.rules.yml) under Debian's promtool:
// valid with every lint on, their unit tests pass (contrib/prometheus/autossh-ts.rules.test.yml,
// series from a real scrape: test/prometheus/scrape.test.ts checks them against the daemon), each
// alert is seen firing by some test, each says which tunnel and what to check, and the table in
// docs/daemon-status.md says what the file does.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertNames, promtool, RULES_FILE, RULES_TEST_FILE, ruleExpressions, shippedRules } from '../support/promtool.js';

const STATUS_DOC = new URL('../../docs/daemon-status.md', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One alert's lines in the rules file: from its `- alert:` to the next. */
function alertBlocks(rulesText: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const part of rulesText.split(/^(?= +- alert: )/m).slice(1)) blocks.set(/- alert: (\S+)/.exec(part)![1]!, part);
  return blocks;
}

describe('the shipped alert rules under promtool', { timeout: 60_000 }, () => {
  const rules = shippedRules();
  const alerts = alertNames(rules);

  it('pass promtool check rules with every lint fatal', async () => {
    const result = await promtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES_FILE]);
    expect(result, result.stdout + result.stderr).toMatchObject({ code: 0, stderr: '' });
    // promtool's count agrees with what the tests here read from the file
    expect(result.stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(alerts).toHaveLength(7);
  });

  it('pass their unit tests (promtool test rules)', async () => {
    const result = await promtool(['test', 'rules', RULES_TEST_FILE]);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('each fire in some test: with every alert renamed, the test of each one fails', async () => {
    // an alert that no test expects to fire would pass renamed; promtool names each failing one
    const renamed = rules.replace(/^( +- alert: )(\S+)$/gm, '$1$2Renamed');
    writeFileSync(join(dir, basename(RULES_FILE)), renamed);
    copyFileSync(RULES_TEST_FILE, join(dir, basename(RULES_TEST_FILE)));
    const result = await promtool(['test', 'rules', basename(RULES_TEST_FILE)], '', dir);
    expect(result.code).toBe(1);
    const failing = new Set([...(result.stdout + result.stderr).matchAll(/alertname: (\w+), time:/g)].map((m) => m[1]));
    expect([...failing].sort()).toEqual([...alerts].sort());
  });

  it('each carry a summary and a description that name the tunnel and say where to look', () => {
    const blocks = alertBlocks(rules);
    expect([...blocks.keys()]).toEqual(alerts);
    for (const [alert, block] of blocks) {
      const summary = /^ +summary: (.+)$/m.exec(block)?.[1];
      // folded as Prometheus renders it (`>-`: the lines joined by single spaces)
      const description = /^ +description: >-\n((?: {12}.+\n)+)/m.exec(block)?.[1]?.trim().replace(/\s+/g, ' ');
      expect(summary, alert).toBeDefined();
      expect(description, alert).toBeDefined();
      expect(description, alert).toContain('journalctl -u autossh-ts');
      const expr = ruleExpressions(block)[0]!;
      if (/autossh_(tunnel|ssh)_/.test(expr)) {
        expect(summary, alert).toContain('{{ $labels.tunnel }}');
        expect(description, alert).toContain('{{ $labels.tunnel }}');
        expect(description, alert).toContain('autossh-lab status');
      }
    }
  });

  it("are the ones docs/daemon-status.md shows: each alert's expression, for and severity", () => {
    const rows = [...readFileSync(STATUS_DOC, 'utf8').matchAll(/^\| `(Autossh\w+)` \| `(.+)` \| (\w+) \| (\w+) \|$/gm)];
    const documented = rows.map(([, alert, expr, forDuration, severity]) => ({ alert, expr, forDuration, severity }));
    const shipped = [...alertBlocks(rules)].map(([alert, block]) => ({
      alert,
      expr: ruleExpressions(block)[0],
      forDuration: /^ +for: (\S+)$/m.exec(block)?.[1],
      severity: /^ +severity: (\S+)$/m.exec(block)?.[1],
    }));
    expect(documented).toEqual(shipped);
  });
});
