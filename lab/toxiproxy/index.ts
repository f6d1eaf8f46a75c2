export { ToxiproxyServer, startToxiproxyServer, type RunningToxiproxy, type ToxiproxyServerOptions } from './server.js';
export { TOXIPROXY_API_VERSION } from './api.js';
export { registerToxic, findToxicKind, toxicTypes } from './registry.js';
export type { ToxicKind, ToxicStage, StageOutput, Attributes, Stream } from './toxic.js';
