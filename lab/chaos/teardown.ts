// Whatever a chaos run started, stopped in reverse order however the run ends (a result, bad
// input, a fault the server rejects, Ctrl-C): each step registers how to undo itself right after
// it succeeds, so a failure half-way stops exactly what was started before it.
export type TeardownStep = () => Promise<void> | void;

export class Teardown {
  private readonly steps: TeardownStep[] = [];

  defer(step: TeardownStep): void {
    this.steps.push(step);
  }

  /** Newest first. A step that fails must not keep the others from running. */
  async run(): Promise<void> {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step();
      } catch {
        // Best effort: the thing is most likely gone already.
      }
    }
  }
}
