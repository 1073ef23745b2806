// Command-line parsing for emulators: the real binary's flags, parsed strictly, so a typo in a
// harness-generated command line fails at once with a message in the component log.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { log } from './logger.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseComponentArgs<O extends Options>(program: string, options: O, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    log.error(`${program}: ${(err as Error).message}`, { accepted: Object.keys(options).map((o) => `--${o}`).join(' ') });
    process.exit(2);
  }
}

/** "127.0.0.1:9898" → host and port; exits with a message when malformed. */
export function parseListenAddr(flag: string, value: string | undefined, fallback: string): { host: string; port: number } {
  const text = value ?? fallback;
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) {
    log.error(`--${flag}: "${text}" is not host:port`);
    process.exit(2);
  }
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}
