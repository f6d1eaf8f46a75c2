/**
 * A simulated run went past one of its bounds (steps, held events): the run failed, not its
 * input. `exitStatus: 1` is how autossh-lab tells a runtime failure from bad input (exit 2).
 */
export class SimulationRunaway extends Error {
  readonly exitStatus = 1;
}
