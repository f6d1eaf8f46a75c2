export { autosshMachine, type AutosshMachine, type MachineContext, type MachineInput } from './autossh-machine.js';
export type { MachineEvent, TimerName } from './events.js';
export type { Effect } from './effects.js';
export * from './config/index.js';
export { SUPERVISOR_SIGNALS, signalNumber, type SupervisorSignal } from './signals.js';
