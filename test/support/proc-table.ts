// One implementation, shared with the chaos runs (src/chaos/world ships in dist/).
export * from '../../src/chaos/world/proc-table.js';
