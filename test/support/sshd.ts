// The tests' throwaway sshd is the chaos world's (lab/world/sshd.ts).
export * from '../../lab/world/sshd.js';
