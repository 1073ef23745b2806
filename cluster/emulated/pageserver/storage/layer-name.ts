// Layer file names, like Neon's: `<keyStartHex>-<keyEndHex>__<lsnStartHex16>-<lsnEndHex16>` for a
// delta, `<keyStartHex>-<keyEndHex>__<lsnHex16>` for an image (hex in upper case; an unbounded
// keyEnd is empty, so a whole-keyspace image is `-__<lsn>`). A directory listing thus reads as the
// layer map. Keys longer than NAME_KEY_BYTES_MAX are cut in the name (the footer holds the exact
// range), and a name that is already taken gets a `~N` suffix.

import type { LayerKind } from './layer-format.ts';

const NAME_KEY_BYTES_MAX = 32;
/** Suffix of a layer file being written; renamed to its final name once complete and synced. */
export const TEMP_SUFFIX = '.___temp';

const LAYER_NAME = /^[0-9A-F]*-[0-9A-F]*__[0-9A-F]{16}(-[0-9A-F]{16})?(~\d+)?$/;
// writeFileAtomic's temp files for store.json: `.store.json.tmp-<pid>-<n>`.
const STATE_TEMP = /^\.store\.json\.tmp-/;

export function keyHex(key: Buffer | null): string {
  return key ? key.toString('hex').toUpperCase() : '';
}

export function lsnHex(lsn: number): string {
  return lsn.toString(16).toUpperCase().padStart(16, '0');
}

export function layerFileName(
  kind: LayerKind,
  keyStart: Buffer,
  keyEnd: Buffer | null,
  lsnStart: number,
  lsnEnd: number,
): string {
  const keys = `${keyHex(cut(keyStart))}-${keyHex(keyEnd && cut(keyEnd))}`;
  return kind === 'delta' ? `${keys}__${lsnHex(lsnStart)}-${lsnHex(lsnEnd)}` : `${keys}__${lsnHex(lsnStart)}`;
}

/** `name`, or `name~N` with the smallest N that is not taken. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 1; ; n++) if (!taken.has(`${name}~${n}`)) return `${name}~${n}`;
}

export function isLayerFileName(name: string): boolean {
  return LAYER_NAME.test(name);
}

/** Files a crash can leave behind: layer files being written and store.json being replaced. */
export function isTempFileName(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX) || STATE_TEMP.test(name);
}

function cut(key: Buffer): Buffer {
  return key.length > NAME_KEY_BYTES_MAX ? key.subarray(0, NAME_KEY_BYTES_MAX) : key;
}
