// One implementation, shared with the chaos runs (lab/world ships in dist/).
export * from '../../lab/world/wait.js';
