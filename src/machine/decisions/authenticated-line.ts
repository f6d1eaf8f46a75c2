// D9's weaker evidence, for a tunnel with no port of its own to see listening: ssh's own line once
// its user authentication succeeded, at LogLevel VERBOSE or more (sshconnect2.c, ssh_userauth2):
//
//   Authenticated to HOST ([ADDRESS]:PORT) using "METHOD".     (OpenSSH 8.7 and later)
//   Authenticated to HOST (via proxy) using "METHOD".          (ProxyCommand, ProxyJump)
//   Authenticated to HOST ([ADDRESS]:PORT).                    (5.6 to 8.6, in ssh.c)
//
// HOST is the name ssh resolved (ssh -G's `hostname`: HostName applied, lowercased), PORT the one
// it connected to. ssh prints the server's banner (SSH2_MSG_USERAUTH_BANNER) on the same stderr,
// as it comes, before authentication: a banner can carry these words too. So the line counts only
// in its exact form, and only for the very host and port this ssh connects to. What stays
// forgeable: a server that writes this exact line, with the name the client knows it by, into
// its banner (see the README's D9).

/** Where this ssh connects, as ssh itself resolved it (ssh -G). */
export interface SessionPeer {
  /** ssh -G's `hostname` */
  host: string;
  /** ssh -G's `port` */
  port: number;
  /**
   * 'direct': ssh's own TCP connection, the line names its address and port;
   * 'proxy': a ProxyCommand or ProxyJump over pipes, the line says "(via proxy)";
   * 'fdpass': ProxyUseFdpass, a socket whose peer is wherever the proxy connected.
   */
  route: 'direct' | 'proxy' | 'fdpass';
}

/**
 * The line's end: ssh's own words, whole. What comes before them may only be a banner's last line
 * that had no newline of its own, glued to ssh's (ssh writes its line in one piece, CRLF ended).
 */
const AUTHENTICATED = /Authenticated to (\S+) \((?:\[([^\]\s]+)\]:(\d{1,5})|(via proxy))\)(?: using "[^"\s]+")?\.$/;

/** What an "Authenticated to" line claims, or null if the line is not of that form. */
export function readAuthenticatedLine(line: string): { host: string; port: number | null } | null {
  const match = AUTHENTICATED.exec(line);
  if (match === null) return null;
  return { host: match[1]!, port: match[4] === undefined ? Number(match[3]) : null };
}

/** True when the line is ssh's "Authenticated to" for this very peer. */
export function isOwnAuthenticatedLine(line: string, peer: SessionPeer): boolean {
  const claim = readAuthenticatedLine(line);
  if (claim === null || claim.host !== peer.host) return false;
  switch (peer.route) {
    case 'direct':
      return claim.port === peer.port;
    case 'proxy':
      return claim.port === null;
    case 'fdpass':
      return claim.port !== null;
  }
}

/**
 * The peer from `ssh -G`'s output (one `keyword value` a line), or null if it names no host or
 * port. A ProxyCommand or ProxyJump of `none` is no proxy.
 */
export function sessionPeerOf(configDump: string): SessionPeer | null {
  const settings = new Map<string, string>();
  for (const line of configDump.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const keyword = line.slice(0, space).toLowerCase();
    if (!settings.has(keyword)) settings.set(keyword, line.slice(space + 1).trim());
  }
  const host = settings.get('hostname');
  const port = Number(settings.get('port'));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return null;
  const named = (keyword: string): boolean => {
    const value = settings.get(keyword);
    return value !== undefined && value !== '' && value.toLowerCase() !== 'none';
  };
  const proxied = named('proxyjump') || named('proxycommand');
  const fdpass = settings.get('proxyusefdpass')?.toLowerCase() === 'yes';
  return { host, port, route: !proxied ? 'direct' : fdpass ? 'fdpass' : 'proxy' };
}
