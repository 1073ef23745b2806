#!/usr/bin/env node
// Launcher: rebuild the bundles when the TypeScript sources are newer (a development checkout),
// then run the CLI bundle.
import { ensureBuilt } from '../scripts/build.mjs';

await ensureBuilt();
await import('../dist/cli.mjs');
