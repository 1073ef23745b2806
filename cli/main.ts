// Entry point of the `neon-local` command.

import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2));
// Idle keep-alive sockets must not hold the command open.
process.exit(code);
