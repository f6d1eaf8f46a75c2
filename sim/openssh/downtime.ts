// The tunnel's downtime books: from every moment it stops working to the moment it works again.
export class DowntimeBooks {
  downtimeMs = 0;
  private working = false;
  private lastChangeMs: number;

  constructor(startMs: number) {
    this.lastChangeMs = startMs;
  }

  get isWorking(): boolean {
    return this.working;
  }

  /** Whether the tunnel works now; true when that changed. */
  update(working: boolean, nowMs: number): boolean {
    if (working === this.working) return false;
    if (!this.working) this.downtimeMs += nowMs - this.lastChangeMs;
    this.working = working;
    this.lastChangeMs = nowMs;
    return true;
  }

  /** Close the books at the end of the run. */
  close(atMs: number): void {
    if (!this.working) this.downtimeMs += atMs - this.lastChangeMs;
    this.lastChangeMs = atMs;
  }
}
