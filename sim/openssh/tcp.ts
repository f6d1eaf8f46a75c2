// Linux TCP figures the simulated ssh falls back on when OpenSSH's own timeouts are off.
// They are the kernel defaults (Documentation/networking/ip-sysctl.rst); a tuned host differs.

/**
 * connect() to a silent peer: the SYN is sent at 0 and retried after 1, 2, 4, 8, 16, 32 s
 * (net.ipv4.tcp_syn_retries = 6); the connect fails 64 s after the last retry, 127 s in all.
 */
export const SYN_SEND_OFFSETS_MS: readonly number[] = [0, 1000, 3000, 7000, 15_000, 31_000, 63_000];
export const SYN_GIVE_UP_MS = 127_000;

/**
 * Data sent into a silent peer is retransmitted with exponential backoff until
 * net.ipv4.tcp_retries2 = 15 retries: about 924.6 s with a 200 ms minimum RTO.
 */
export const RETRANSMIT_GIVE_UP_MS = 924_600;

/**
 * An idle connection with SO_KEEPALIVE (OpenSSH's TCPKeepAlive=yes default): the first probe
 * after tcp_keepalive_time = 7200 s, then 9 probes 75 s apart: dead after 7875 s of silence.
 */
export const KEEPALIVE_GIVE_UP_MS = 7_875_000;
