// Flows that stay dead after a fault while new ones work (as after the client's address changed),
// made with nftables in the server's namespace: shared/FIELD-NOTES.md's recipe, verbatim.
//
// - When the world is built: conntrack must already track the flows, so the table starts with the
//   accept rule that uses it. (Without it, conntrack starts tracking only when the fault's rule
//   arrives; the mark set on a dropped packet of a flow it never confirmed is lost, and old flows
//   come back after the fault.)
// - Fault on: every packet to the port is dropped, and the flow it belongs to marked. Flows open
//   die silently; a new connection stalls in the TCP handshake (its SYNs are dropped).
// - Fault off: marked flows keep being dropped, everything else is accepted again. Old flows stay
//   dead for good; new connections pass, a connect() that started during the fault on the kernel's
//   next SYN retry (1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s after it started, measured here).
import type { ServerNetns } from './netns.js';

/** The recipe's names: table `inet f`, chain `input`. */
const TABLE = 'inet f';
const CHAIN = 'input';
const TRACK_AND_ACCEPT = 'ct state established,related,new accept';

/** Installs the table with the tracking rule: call when the world is built, before any flow opens. */
export async function installFlowTracking(netns: ServerNetns): Promise<void> {
  await nft(netns, [
    `add table ${TABLE}`,
    `add chain ${TABLE} ${CHAIN} { type filter hook input priority 0; policy accept; }`,
    `flush chain ${TABLE} ${CHAIN}`,
    `add rule ${TABLE} ${CHAIN} ${TRACK_AND_ACCEPT}`,
  ]);
}

/** Fault on: drops and marks every packet to `port` (the server's sshd). */
export async function freezeFlows(netns: ServerNetns, port: number): Promise<void> {
  await nft(netns, [`insert rule ${TABLE} ${CHAIN} tcp dport ${port} ct mark set 1 drop`]);
}

/** Fault off: the marked flows stay dropped, the rest is accepted (and tracked) again. One transaction. */
export async function thawFlows(netns: ServerNetns): Promise<void> {
  await nft(netns, [
    `flush chain ${TABLE} ${CHAIN}`,
    `add rule ${TABLE} ${CHAIN} ct mark 1 drop`,
    `add rule ${TABLE} ${CHAIN} ${TRACK_AND_ACCEPT}`,
  ]);
}

/** The rules as nft lists them, for messages and tests. */
export function listFlowRules(netns: ServerNetns): Promise<string> {
  return netns.exec(['nft', 'list', 'chain', ...TABLE.split(' '), CHAIN]);
}

/** Runs the commands as one nft transaction (`nft -f -`): all of them apply, or none. */
async function nft(netns: ServerNetns, commands: readonly string[]): Promise<void> {
  await netns.exec(['nft', '-f', '-'], `${commands.join('\n')}\n`);
}
