// Process lifecycle shared by every emulator: graceful shutdown on SIGTERM/SIGINT, immediate exit
// on SIGQUIT (neon_local's "immediate" signal), an exit when the parent dies (fallback for
// systems without setpriv), and a logged crash on an uncaught error.

import { loadAddressMapFromEnv } from '../../net/address-map.ts';
import { log } from './logger.ts';

type ShutdownHook = () => Promise<void> | void;

const hooks: ShutdownHook[] = [];
let shuttingDown = false;
const PARENT_POLL_MS = 500;

/** Registers work to do on graceful shutdown; hooks run in reverse registration order. */
export function onShutdown(hook: ShutdownHook): void {
  hooks.push(hook);
}

async function shutdown(reason: string, code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => {});
  shuttingDown = true;
  log.info('shutting down', { reason });
  for (const hook of hooks.reverse()) {
    try {
      await hook();
    } catch (err) {
      log.error('shutdown step failed', { error: String(err) });
    }
  }
  log.info('shut down');
  process.exit(code);
}

/** Installs the handlers and the link map (outbound connections through the fault proxies). */
export function installLifecycle(name: string): void {
  try {
    const links = loadAddressMapFromEnv();
    if (links) log.info(`connections to other components go through ${links} link proxies`);
  } catch (err) {
    log.error((err as Error).message);
    process.exit(1);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGQUIT', () => {
    log.info('SIGQUIT: exiting immediately');
    process.exit(0);
  });
  process.on('uncaughtException', (err) => {
    log.error(`${name} crashed`, { error: String(err?.stack ?? err) });
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log.error(`${name} crashed on an unhandled rejection`, { error: String((err as Error)?.stack ?? err) });
    process.exit(1);
  });
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      log.warn('parent process is gone; exiting', { parent });
      process.exit(1);
    }
  }, PARENT_POLL_MS).unref();
}

/** Logs a startup failure with a clear message and exits non-zero (the harness shows the log tail). */
export function fatal(message: string): never {
  log.error(message);
  process.exit(1);
}
