// Port choice for test servers and forwards: the chaos world's helpers (src/chaos/world/ports.ts).
export { getFreePort, randomNamespacePort } from '../../src/chaos/world/ports.js';
