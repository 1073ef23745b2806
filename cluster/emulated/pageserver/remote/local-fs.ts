// The LocalFs backend (pageserver.toml `remote_storage = { local_path = '...' }`): each object is
// a file at <root>/<key>. A put writes a temporary file and renames it into place, so a reader
// never sees a partial object and a crash leaves at most a stray temporary, which list() skips.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RemoteStorageError, type RemoteObject, type RemoteStorage } from './remote-storage.ts';

const TEMP_SUFFIX = '.___temp';

export class LocalFsRemoteStorage implements RemoteStorage {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `LocalFs ${root}`;
  }

  private file(key: string, operation: RemoteStorageError['operation']): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new RemoteStorageError(operation, key, 'not a valid object key (relative, no . or .. segments)');
    }
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.file(key, 'put');
    const temp = `${file}.${process.pid}.${Date.now()}${TEMP_SUFFIX}`;
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      const handle = await fsp.open(temp, 'w');
      try {
        await handle.writeFile(data);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, file);
    } catch (err) {
      await fsp.rm(temp, { force: true }).catch(() => {});
      throw new RemoteStorageError('put', key, (err as Error).message, { cause: err });
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(this.file(key, 'get'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      if (err instanceof RemoteStorageError) throw err;
      throw new RemoteStorageError('get', key, (err as Error).message, { cause: err });
    }
  }

  async head(key: string): Promise<{ size: number; lastModified: Date } | null> {
    try {
      const stat = await fsp.stat(this.file(key, 'head'));
      return { size: stat.size, lastModified: stat.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      if (err instanceof RemoteStorageError) throw err;
      throw new RemoteStorageError('head', key, (err as Error).message, { cause: err });
    }
  }

  async list(prefix: string): Promise<RemoteObject[]> {
    // Walk from the deepest directory the prefix names; match the rest of the prefix on keys.
    const slash = prefix.lastIndexOf('/');
    const dir = slash < 0 ? this.root : path.join(this.root, prefix.slice(0, slash));
    const out: RemoteObject[] = [];
    const walk = async (d: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(d, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new RemoteStorageError('list', prefix, (err as Error).message, { cause: err });
      }
      for (const e of entries) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && !e.name.endsWith(TEMP_SUFFIX)) {
          const key = path.relative(this.root, full).split(path.sep).join('/');
          if (!key.startsWith(prefix)) continue;
          try {
            out.push({ key, size: (await fsp.stat(full)).size });
          } catch (err) {
            // Deleted since the directory was read: it is not there any more, so not listed.
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new RemoteStorageError('list', prefix, (err as Error).message, { cause: err });
          }
        }
      }
    };
    await walk(dir);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await fsp.rm(this.file(key, 'delete'), { force: true });
      } catch (err) {
        if (err instanceof RemoteStorageError) throw err;
        throw new RemoteStorageError('delete', key, (err as Error).message, { cause: err });
      }
    }
  }
}
