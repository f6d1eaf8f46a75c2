// D10: a stale remote listener. After a silent drop the server keeps the old session, and its
// -R port, until its ClientAlive (or TCP keepalive) gives up; every reconnect meanwhile gets
// "remote port forwarding failed for listen port N". 1.4g counts these as fast failures, so its
// backoff grows with them (2, 8, 18, 32, 50 s... up to POLL) and it comes back long after the
// port is free. autossh-ts retries on a short schedule of its own instead: 2, 4, 8, then every
// 10 s, so the tunnel returns within seconds of the server letting the port go.
const FIRST_RETRY_SECONDS = 2;
export const MAX_RETRY_SECONDS = 10;

/** The wait before the next start after `failures` forward failures in a row (1, 2, ...). */
export function forwardRetrySeconds(failures: number): number {
  if (failures < 1) return 0;
  return Math.min(FIRST_RETRY_SECONDS * 2 ** Math.min(failures - 1, 10), MAX_RETRY_SECONDS);
}

/**
 * ssh's own words for it (ssh.c): "Warning: ..." when ssh stays up without the forward, "Error:
 * ..." when ExitOnForwardFailure makes it exit. They end the line; what comes before them may be
 * a banner's last line that had no newline of its own (ssh prints the banner as it comes).
 */
const FORWARD_FAILED = /(?:Warning|Error): remote port forwarding failed for listen port (\d+)$/;

/** The remote port a line of ssh's stderr says it could not forward, or null. */
export function failedRemoteForwardPort(line: string): number | null {
  const match = FORWARD_FAILED.exec(line);
  return match ? Number(match[1]) : null;
}

/**
 * A refusal counts only for a port this tunnel asked the server for. ssh prints the server's
 * banner as it comes, before authentication, so the same words can come from the server about
 * any port; a port that is not one of ours says nothing about our tunnel.
 */
export function isOwnRemoteForward(port: number, remoteForwardPorts: readonly number[]): boolean {
  return remoteForwardPorts.includes(port);
}
