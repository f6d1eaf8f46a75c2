// Port choice for test servers and forwards: the chaos world's helpers (lab/world/ports.ts).
export { getFreePort, randomNamespacePort } from '../../lab/world/ports.js';
