// `npm run bench`: runs every benchmark and prints its figures against the targets. Figures are
// printed, never asserted: tests check behaviour, benchmarks measure speed.

import os from 'node:os';
import { dataPathBenchmark } from './data-path.ts';
import { lifecycleBenchmark } from './lifecycle.ts';
import { linkProxyBenchmark } from './link-proxies.ts';
import { printFigures } from './stats.ts';

console.log(`neon-local benchmarks on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
printFigures('Cluster lifecycle (default topology: storage controller, broker, 1 pageserver, 3 safekeepers)', await lifecycleBenchmark());
printFigures('Data path (3 safekeepers, 1 pageserver, endpoint ep-main; SQL over the Postgres protocol; direct connections)', await dataPathBenchmark());
printFigures('Link proxies (the same load through the fault-injection proxies and with direct connections, interleaved rounds)', await linkProxyBenchmark());
