// A moto_server (S3-compatible, preinstalled on these machines) on a free loopback port, for
// scenarios (`--remote-storage moto`) and tests of the S3 remote storage. It runs under a shell that stops it once our end of its stdin
// closes — at teardown, or when the test process dies any other way (a tap timeout, SIGKILL) —
// so no moto_server is left behind.

import { spawn, type ChildProcess } from 'node:child_process';
import getPort from 'get-port';

export interface Moto {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  // moto accepts any credentials, but the SDK refuses to sign without some; components inherit AWS_*.
  process.env.AWS_ACCESS_KEY_ID ??= 'test-access-key';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret-key';
  const port = await getPort({ host: '127.0.0.1' });
  const script = 'exec 3<&0; moto_server -H 127.0.0.1 -p "$1" & pid=$!; (read _ <&3; kill $pid) & wait $pid';
  const moto = spawn('sh', ['-c', script, 'sh', String(port)], { stdio: ['pipe', 'ignore', 'pipe'] });
  const stop = async () => {
    if (moto.exitCode !== null || moto.signalCode !== null) return;
    const exited = new Promise((resolve) => moto.once('exit', resolve));
    moto.stdin!.end();
    await exited;
  };
  let stderr = '';
  // moto logs every request to stderr; keep only the tail, for a failure to start.
  moto.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (moto.exitCode !== null) throw new Error(`moto_server exited with ${moto.exitCode}: ${stderr}`);
    if (await fetch(endpoint).then(() => true, () => false)) return { endpoint, process: moto, stop };
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within 30s: ${stderr}`);
}
