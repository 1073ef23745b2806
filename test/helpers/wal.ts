// Reading a safekeeper's WAL straight from its segment files, to compare safekeepers byte for byte.

import fs from 'node:fs';
import path from 'node:path';
import { segmentName } from '../../cluster/emulated/safekeeper/timeline/wal-store.ts';
import { SEGMENT_SIZE } from '../../cluster/wal/format.ts';
import type { Lsn } from '../../cluster/wal/lsn.ts';

export function safekeeperTimelineDir(repoDir: string, skId: number, tenantId: string, timelineId: string): string {
  return path.join(repoDir, 'safekeepers', `sk${skId}`, tenantId, timelineId);
}

/** The WAL bytes in [start, end) as stored in `dir`. */
export function readWal(dir: string, start: Lsn, end: Lsn): Buffer {
  const parts: Buffer[] = [];
  for (let at = start; at < end; ) {
    const segno = Math.floor(at / SEGMENT_SIZE);
    const offset = at % SEGMENT_SIZE;
    const length = Math.min(end - at, SEGMENT_SIZE - offset);
    const fd = fs.openSync(path.join(dir, segmentName(segno)), 'r');
    try {
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, offset);
      parts.push(buf);
    } finally {
      fs.closeSync(fd);
    }
    at += length;
  }
  return Buffer.concat(parts);
}
