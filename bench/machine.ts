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

/**
 * Median fdatasync latency while `writers` threads sync their own files at once — what three
 * safekeepers sharing one disk see. Each writer appends into a full-size (sparse) file, as they do.
 */
export async function concurrentFdatasyncMs(dir: string, writers: number, runs = 500): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const code = `
    const fs = require('node:fs');
    const { workerData, parentPort } = require('node:worker_threads');
    const fd = fs.openSync(workerData.file, 'w+');
    fs.ftruncateSync(fd, 16 * 1024 * 1024);
    fs.fsyncSync(fd);
    const block = Buffer.alloc(256, 7);
    const times = [];
    for (let i = 0; i < workerData.runs; i++) {
      const began = performance.now();
      fs.writeSync(fd, block, 0, block.length, i * block.length);
      fs.fdatasyncSync(fd);
      times.push(performance.now() - began);
    }
    fs.closeSync(fd);
    fs.rmSync(workerData.file, { force: true });
    parentPort.postMessage(times);
  `;
  const results = await Promise.all(
    Array.from({ length: writers }, (_, i) => new Promise<number[]>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { file: path.join(dir, `fdatasync-probe-${i}`), runs } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })),
  );
  return median(results.flat());
}
