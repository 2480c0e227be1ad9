/**
 * Files in Node: a written file is never half written (`writeFileAtomic`), and a folder that
 * cannot be made says where and why (`makeFolder`). Node's modules are loaded when a function
 * is called (`process.getBuiltinModule`), so this module imports nothing from Node and every
 * bundler takes the package for a page as it is.
 */
import { ConfigError } from '@twostep/core';

export interface NodeModules {
  fs: typeof import('node:fs/promises');
  path: typeof import('node:path');
  url: typeof import('node:url');
}

/** Node's `fs/promises`, `path` and `url`, or undefined outside Node (a page, a worker). */
export function nodeModules(): NodeModules | undefined {
  const { process } = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  const load = process?.getBuiltinModule;
  if (typeof load !== 'function') return undefined;
  return {
    fs: load('node:fs/promises') as NodeModules['fs'],
    path: load('node:path') as NodeModules['path'],
    url: load('node:url') as NodeModules['url'],
  };
}

/** As `nodeModules`, or a ConfigError saying that `caller` needs Node. */
function node(caller: string): NodeModules {
  const modules = nodeModules();
  if (!modules) {
    throw new ConfigError(
      `${caller} writes files, which needs Node ≥ 20.19; in a browser, save to indexeddb:// or localstorage://.`,
    );
  }
  return modules;
}

/**
 * Writes `data` to `path` so that readers see the old file or the new one, never a part: the
 * data goes to a temporary file in the same folder (same file system, named as `temporaryOf`
 * reads), is flushed, and is renamed over `path`; missing folders are made (`makeFolder`). On
 * failure the temporary file is removed and `path` is untouched. Node only.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const { fs, path: p } = node('writeFileAtomic');
  await makeFolder(p.dirname(path));
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  const temp = p.join(p.dirname(path), `.${p.basename(path)}.${process.pid}.${hex}.tmp`);
  try {
    const file = await fs.open(temp, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/**
 * The temporary file `writeFileAtomic` writes for `name`: `.<name>.<pid>.<8 hex>.tmp`; the
 * pid of the process that wrote it, or undefined when `file` is no such name.
 */
export function temporaryOf(
  file: string,
  name?: string,
): { name: string; pid: number } | undefined {
  const match = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(file);
  if (!match || (name !== undefined && match[1] !== name)) return undefined;
  return { name: match[1]!, pid: Number(match[2]) };
}

/**
 * Creates `folder` and its missing parents one level at a time, so that a failure is the
 * real one at the level where it happened (EACCES, EROFS, ENOTDIR), not the ENOENT that a
 * recursive mkdir can report instead; the error's `path` is that level. Node only.
 */
export async function makeFolder(folder: string): Promise<void> {
  const { fs, path: p } = node('makeFolder');
  const missing: string[] = [];
  for (let dir = folder; ; dir = p.dirname(dir)) {
    const found = await fs.stat(dir).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        return undefined;
      },
    );
    if (found) {
      if (!found.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
          code: 'ENOTDIR',
          path: dir,
        });
      }
      break;
    }
    missing.unshift(dir);
    if (p.dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await fs.mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
