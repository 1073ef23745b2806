// Where a scenario's cluster keeps remote storage: the local directory (default), a moto_server the
// runner starts and stops (`moto`, what CI uses), or an existing bucket (`s3://bucket[/prefix]`,
// region from AWS_REGION, endpoint from AWS_ENDPOINT_URL, credentials from AWS_*).

import type { S3Settings } from '../../cluster/api/s3-settings.ts';
import { loadS3Sdk } from '../../cluster/emulated/pageserver/remote/s3.ts';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import { startMoto } from './moto-server.ts';

export type RemoteStorageChoice = 'local' | 'moto' | `s3://${string}`;

export interface PreparedRemoteStorage {
  /** cluster.yaml's remote_storage: null for the local directory. */
  spec: S3Settings | null;
  description: string;
  stop(): Promise<void>;
}

const MOTO_BUCKET = 'neon-local-scenarios';

export function parseRemoteStorageChoice(value: string): RemoteStorageChoice {
  if (value === 'local' || value === 'moto') return value;
  if (/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value)) return value as RemoteStorageChoice;
  throw new NeonLocalError('usage', `--remote-storage ${value}: expected local, moto, or s3://BUCKET[/PREFIX]`);
}

export async function prepareRemoteStorage(choice: RemoteStorageChoice): Promise<PreparedRemoteStorage> {
  if (choice === 'local') return { spec: null, description: 'local directory', stop: async () => {} };
  if (choice === 'moto') {
    const moto = await startMoto().catch((err: Error) => {
      throw new NeonLocalError('start-failed', `could not start moto_server for --remote-storage moto: ${err.message}`, { hint: 'install it: `pip install "moto[server]"`, or use --remote-storage local' });
    });
    try {
      const sdk = await loadS3Sdk();
      const client = new sdk.S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
      await client.send(new sdk.CreateBucketCommand({ Bucket: MOTO_BUCKET }));
      client.destroy();
    } catch (err) {
      await moto.stop();
      throw err;
    }
    return {
      spec: { bucket_name: MOTO_BUCKET, bucket_region: 'us-east-1', endpoint: moto.endpoint, prefix_in_bucket: 'pageserver' },
      description: `S3 (moto_server at ${moto.endpoint})`,
      stop: () => moto.stop(),
    };
  }
  const [bucket, ...prefix] = choice.slice('s3://'.length).split('/');
  const spec: S3Settings = {
    bucket_name: bucket!,
    bucket_region: process.env.AWS_REGION ?? 'us-east-1',
    ...(prefix.join('/') ? { prefix_in_bucket: prefix.join('/') } : {}),
    ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}),
  };
  return { spec, description: `S3 (${choice})`, stop: async () => {} };
}
