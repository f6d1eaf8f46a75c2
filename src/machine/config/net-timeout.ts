// 1.4g's net_timeout: a connection test waits at most this long for the accept, and again for
// the reply. Both must fit in one poll interval, so a short POLL halves into it.

/** 1.4g's NET_TIMEOUT: no wait of a connection test is longer, whatever POLL is */
export const NET_TIMEOUT_CAP_MS = 15_000;

/** a POLL (s) below this shortens the net timeout, and 1.4g logs "short poll time" */
export const SHORT_POLL_BELOW_SECONDS = (2 * NET_TIMEOUT_CAP_MS) / 1000;

export function netTimeoutMsFor(pollSeconds: number): number {
  return Math.min(NET_TIMEOUT_CAP_MS, Math.trunc((pollSeconds * 1000) / 2));
}

/** The POLL (whole seconds, as AUTOSSH_POLL is read) that a shortened net timeout came from. */
export function pollSecondsForNetTimeout(netTimeoutMs: number): number {
  return Math.trunc((netTimeoutMs * 2) / 1000);
}
