// D9's line evidence, pure: only ssh's own "Authenticated to" line, in its exact form, for the host
// and port this ssh connects to (as `ssh -G` resolves them) counts; text a server's banner can
// carry in other forms does not.
import { describe, expect, it } from 'vitest';
import { isOwnAuthenticatedLine, readAuthenticatedLine, sessionPeerOf, type SessionPeer } from '../../src/machine/decisions/authenticated-line.js';

const DIRECT: SessionPeer = { host: 'relay.example', port: 2222, route: 'direct' };

describe('ssh\'s "Authenticated to" line', () => {
  it('reads the forms OpenSSH writes: 8.7+ with the method, 5.6-8.6 without, via a proxy', () => {
    expect(readAuthenticatedLine('Authenticated to relay.example ([10.0.0.1]:2222) using "publickey".')).toEqual({ host: 'relay.example', port: 2222 });
    expect(readAuthenticatedLine('Authenticated to ::1 ([::1]:22) using "keyboard-interactive".')).toEqual({ host: '::1', port: 22 });
    expect(readAuthenticatedLine('Authenticated to relay.example ([10.0.0.1]:2222).')).toEqual({ host: 'relay.example', port: 2222 });
    expect(readAuthenticatedLine('Authenticated to relay.example (via proxy) using "publickey".')).toEqual({ host: 'relay.example', port: null });
  });

  it('counts the line for this very host and port only', () => {
    expect(isOwnAuthenticatedLine('Authenticated to relay.example ([10.0.0.1]:2222) using "publickey".', DIRECT)).toBe(true);
    expect(isOwnAuthenticatedLine('Authenticated to relay.example ([10.0.0.1]:22) using "publickey".', DIRECT)).toBe(false);
    expect(isOwnAuthenticatedLine('Authenticated to bastion ([10.0.0.1]:2222) using "publickey".', DIRECT)).toBe(false);
    expect(isOwnAuthenticatedLine('Authenticated to relay.example (via proxy) using "publickey".', DIRECT)).toBe(false);
    const proxied: SessionPeer = { ...DIRECT, route: 'proxy' };
    expect(isOwnAuthenticatedLine('Authenticated to relay.example (via proxy) using "publickey".', proxied)).toBe(true);
    expect(isOwnAuthenticatedLine('Authenticated to relay.example ([10.0.0.1]:2222) using "publickey".', proxied)).toBe(false);
    const fdpass: SessionPeer = { ...DIRECT, route: 'fdpass' };
    expect(isOwnAuthenticatedLine('Authenticated to relay.example ([10.0.0.9]:443) using "publickey".', fdpass)).toBe(true);
  });

  it('does not count what a banner may say in other words', () => {
    for (const line of [
      'Authenticated to relay.example',
      'Authenticated to relay.example.',
      'Authenticated to relay.example ([10.0.0.1]:2222) using "publickey". Welcome!',
      'You are Authenticated to relay.example ([10.0.0.1]:2222) using "publickey" now',
      'debug1: Authentication succeeded (publickey).',
      'Authenticated to relay.example ([10.0.0.1]:2222) using "public key".',
      'Authenticated to  relay.example ([10.0.0.1]:2222) using "publickey".',
    ]) {
      expect(isOwnAuthenticatedLine(line, DIRECT), line).toBe(false);
    }
  });

  it('counts ssh\'s line glued after a banner\'s last line that had no newline', () => {
    expect(isOwnAuthenticatedLine('Authorized use only.Authenticated to relay.example ([10.0.0.1]:2222) using "publickey".', DIRECT)).toBe(true);
  });

  it('counts the exact line for this host and port whoever wrote it: what stays forgeable', () => {
    // a banner holding this very line is indistinguishable from ssh's own (README, D9)
    expect(isOwnAuthenticatedLine('Authenticated to relay.example ([203.0.113.7]:2222) using "password".', DIRECT)).toBe(true);
  });
});

describe('the peer from ssh -G', () => {
  it('takes hostname and port, and the route from ProxyCommand, ProxyJump and ProxyUseFdpass', () => {
    const dump = (extra: string[]): string => ['host relay', 'user tunnel', 'hostname relay.example', 'port 2222', 'proxyusefdpass no', ...extra, ''].join('\n');
    expect(sessionPeerOf(dump([]))).toEqual(DIRECT);
    expect(sessionPeerOf(dump(['proxycommand none']))).toEqual(DIRECT);
    expect(sessionPeerOf(dump(['proxyjump jump@hop:22']))).toEqual({ ...DIRECT, route: 'proxy' });
    expect(sessionPeerOf(dump(['proxycommand nc %h %p']))).toEqual({ ...DIRECT, route: 'proxy' });
    expect(sessionPeerOf(dump(['proxycommand nc %h %p']).replace('proxyusefdpass no', 'proxyusefdpass yes'))).toEqual({ ...DIRECT, route: 'fdpass' });
  });

  it('is null when the dump names no host or port', () => {
    expect(sessionPeerOf('')).toBeNull();
    expect(sessionPeerOf('hostname relay.example\n')).toBeNull();
    expect(sessionPeerOf('hostname relay.example\nport 0\n')).toBeNull();
  });
});
