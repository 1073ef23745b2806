// The last lines of a log file, for error messages ("ps1 exited during startup; last log lines: ...").

import fs from 'node:fs';

const MAX_READ_BYTES = 64 * 1024;

export function logTail(file: string, lines = 20): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, MAX_READ_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    if (length < size) all.shift(); // probably cut in the middle
    return all.slice(-lines);
  } finally {
    fs.closeSync(fd);
  }
}
