// 1.4g's start-up before the first ssh, in the real world: the loop form's monitor listener on
// 127.0.0.1 and the pid file, and their undoing at the end. (A failed start-up is said by the
// host itself: where it is said depends on who runs it, src/cli/cli-host.ts.)
import type { HostStartUp } from '../driver/host.js';
import { MonitorListener } from './connection-test.js';
import { PidFile } from './pid-file.js';

export class RealStartUp implements Omit<HostStartUp, 'startFailed'> {
  private opened: MonitorListener | null = null;
  private readonly pidFile: PidFile | null;

  constructor(pidFilePath: string | null) {
    this.pidFile = pidFilePath ? new PidFile(pidFilePath) : null;
  }

  /** the loop form's listener once bound: connection tests wait on it for their reply */
  get listener(): MonitorListener | null {
    return this.opened;
  }

  openMonitorListener(port: number, done: (error: string | null) => void): void {
    const listener = new MonitorListener();
    listener.open(port).then((error) => {
      if (error === null) this.opened = listener;
      done(error);
    }, (error: unknown) => done(String(error)));
  }

  closeMonitorListener(): void {
    this.opened?.close();
    this.opened = null;
  }

  writePidFile(): string | null {
    return this.pidFile?.write() ?? null;
  }

  removePidFile(): void {
    this.pidFile?.remove();
  }
}
