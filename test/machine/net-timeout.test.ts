// The net timeout 1.4g derives from POLL, and its inverse, with which the log import reads POLL
// back out of a "short poll time" line: for every POLL the parser accepts, the line it writes
// reads back as that POLL, and a POLL that says no such line is at least SHORT_POLL_BELOW_SECONDS.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NET_TIMEOUT_CAP_MS, netTimeoutMsFor, pollSecondsForNetTimeout, SHORT_POLL_BELOW_SECONDS } from '../../src/machine/config/net-timeout.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';

const SHORT_POLL_LINE = /^short poll time: adjusting net timeouts to (\d+)$/;

function parsedWithPoll(pollSeconds: number): { netTimeoutMs: number; shortLine: string | undefined } {
  const outcome = parseCommandLine(['-M', '0', 'host'], { AUTOSSH_PATH: '/usr/bin/ssh', AUTOSSH_POLL: String(pollSeconds) });
  if (outcome.kind !== 'run') throw new Error(`POLL ${pollSeconds}: expected a run, got ${outcome.kind}`);
  const shortLine = outcome.notices.map((n) => n.message).find((m) => SHORT_POLL_LINE.test(m));
  return { netTimeoutMs: outcome.config.netTimeoutMs, shortLine };
}

describe('net timeout', () => {
  it('is half of POLL below SHORT_POLL_BELOW_SECONDS, and the cap from there on', () => {
    expect(SHORT_POLL_BELOW_SECONDS).toBe(30);
    expect(netTimeoutMsFor(1)).toBe(500);
    expect(netTimeoutMsFor(29)).toBe(14_500);
    expect(netTimeoutMsFor(30)).toBe(NET_TIMEOUT_CAP_MS);
    expect(netTimeoutMsFor(86_400)).toBe(NET_TIMEOUT_CAP_MS);
  });

  it('reads back as the POLL it came from, for every POLL that shortens it', () => {
    for (let pollSeconds = 1; pollSeconds < SHORT_POLL_BELOW_SECONDS; pollSeconds++) {
      expect(pollSecondsForNetTimeout(netTimeoutMsFor(pollSeconds))).toBe(pollSeconds);
    }
  });

  it("the parser's \"short poll time\" line reads back as the POLL it was given, and comes exactly when the timeout is short", () => {
    const check = (pollSeconds: number): void => {
      const { netTimeoutMs, shortLine } = parsedWithPoll(pollSeconds);
      expect(netTimeoutMs).toBe(netTimeoutMsFor(pollSeconds));
      if (pollSeconds >= SHORT_POLL_BELOW_SECONDS) {
        expect(shortLine).toBeUndefined();
        return;
      }
      expect(shortLine).toMatch(SHORT_POLL_LINE);
      expect(pollSecondsForNetTimeout(Number(SHORT_POLL_LINE.exec(shortLine!)![1]))).toBe(pollSeconds);
    };
    // every POLL around the edge, then any POLL up to a day
    for (let pollSeconds = 1; pollSeconds <= 2 * SHORT_POLL_BELOW_SECONDS; pollSeconds++) check(pollSeconds);
    fc.assert(fc.property(fc.integer({ min: 1, max: 86_400 }), check), { numRuns: 200 });
  });
});
