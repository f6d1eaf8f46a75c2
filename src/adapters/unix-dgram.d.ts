// The part of the `unix-dgram` package (no types of its own) that ./sd-notify.ts uses.
declare module 'unix-dgram' {
  export interface UnixDgramSocket {
    /** Unconnected send; `callback` runs before send returns, with an Error whose code is -errno on failure. */
    send(buf: Buffer, offset: number, length: number, path: string, callback: (error?: Error & { code?: number | string }) => void): void;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'message', listener: (buf: Buffer, rinfo: { size: number; path?: string }) => void): this;
    bind(path: string): void;
    close(): void;
  }
  export function createSocket(type: 'unix_dgram', listener?: (buf: Buffer) => void): UnixDgramSocket;
}
