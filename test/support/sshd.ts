// The tests' throwaway sshd is the chaos world's (src/chaos/world/sshd.ts).
export * from '../../src/chaos/world/sshd.js';
