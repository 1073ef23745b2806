// A socket carrying frames (frames.ts) both ways: frames that arrive together are handed over
// together, so a receiver can batch them (the safekeeper flushes WAL once per batch).

import net from 'node:net';
import { routeAddress } from '../net/address-map.ts';
import { encodeFrame, encodeJsonFrame, FrameDecoder, type Frame } from './frames.ts';

export class FramedSocket {
  private readonly decoder = new FrameDecoder();
  private closed = false;
  private closeListeners: ((error?: Error) => void)[] = [];

  constructor(
    readonly socket: net.Socket,
    onFrames: (frames: Frame[]) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      if (frames.length) onFrames(frames);
    });
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish());
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(error);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Returns false when the socket's buffer is full (wait for drain()). */
  send(tag: string, body: Buffer): boolean {
    if (this.closed) return false;
    return this.socket.write(encodeFrame(tag, body));
  }

  sendJson(tag: string, value: unknown): boolean {
    if (this.closed) return false;
    return this.socket.write(encodeJsonFrame(tag, value));
  }

  drain(): Promise<void> {
    if (this.closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.onClose(done);
    });
  }

  /** Sends an error frame, then closes. */
  fail(code: string, message: string): void {
    this.sendJson('E', { code, message });
    this.socket.end();
  }

  destroy(error?: Error): void {
    this.socket.destroy(error);
  }

  end(): void {
    this.socket.end();
  }
}

/** Connects to host:port, resolving once connected. */
export function connectFramed(host: string, port: number, onFrames: (frames: Frame[]) => void, timeoutMs = 5000): Promise<FramedSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(routeAddress(host, port)); // through the link's proxy, when there is one
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', reject);
      resolve(new FramedSocket(socket, onFrames));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
