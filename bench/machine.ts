// The machine's floor for a commit: fdatasync latency of the disk the cluster writes to, and the
// loopback round trip. Commit latency targets are ratios of these, measured in the same run.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { median } from './stats.ts';

/** Median latency of an 8 KiB write + fdatasync in `dir`, in ms. */
export function fdatasyncMs(dir: string, runs = 200): number {
  const file = path.join(dir, 'fdatasync-probe');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(8192, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const began = performance.now();
      fs.writeSync(fd, block, 0, block.length, (i % 64) * block.length);
      fs.fdatasyncSync(fd);
      times.push(performance.now() - began);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return median(times);
}

/** Median round trip of a small message over a loopback TCP connection, in ms. */
export async function loopbackRttMs(runs = 2000): Promise<number> {
  const server = net.createServer((socket) => socket.on('data', (d) => socket.write(d)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const began = performance.now();
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('ping');
      });
      times.push(performance.now() - began);
    }
  } finally {
    socket.destroy();
    server.close();
  }
  return median(times);
}
