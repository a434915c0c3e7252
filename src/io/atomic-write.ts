/**
 * Atomic file replacement: readers of `path` see either the old bytes or the new bytes, never a mix, and a
 * crash or error part-way leaves the old file untouched.
 *
 * Recipe: write a uniquely named temp file in the target's directory (rename is only atomic within one
 * file system), fsync it (so the rename can never expose a file whose data is still in flight), rename it
 * over the target, then fsync the directory so the rename itself survives a power loss. On any failure
 * before the rename, the temp file is removed and the error is rethrown.
 *
 * Known limits: the new file gets default permissions (the old file's mode is not copied); a symlink at
 * `path` is replaced by a regular file rather than followed.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { argumentError } from '../errors.js';

// Every fs call goes through the `fs` / `fs.promises` objects (no destructured imports) so that tests can
// replace a single call with a failing spy and check the cleanup.

/** Writes `bytes` to `path` atomically (see the module comment). Resolves once the data is durable. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  checkArguments('writeFileAtomic', path, bytes);
  const temp = tempPathFor(path);
  let handle: fs.promises.FileHandle | undefined;
  let created = false;
  try {
    // 'wx' = O_CREAT | O_EXCL: never reuse (and later delete) a file someone else created.
    handle = await fs.promises.open(temp, 'wx');
    created = true;
    await handle.writeFile(bytes);
    await handle.sync();
    const closing = handle;
    handle = undefined;
    await closing.close();
    await fs.promises.rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (created) await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Synchronous twin of {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, bytes: Uint8Array): void {
  checkArguments('writeFileAtomicSync', path, bytes);
  const temp = tempPathFor(path);
  let fd: number | undefined;
  let created = false;
  try {
    fd = fs.openSync(temp, 'wx');
    created = true;
    // writeSync may write fewer bytes than asked (and takes at most ~2 GiB per call): loop until done.
    for (let written = 0; written < bytes.byteLength; ) {
      const chunk = Math.min(bytes.byteLength - written, 1 << 30);
      written += fs.writeSync(fd, bytes, written, chunk);
    }
    fs.fsyncSync(fd);
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    fs.renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) ignoreErrors(() => fs.closeSync(fd!));
    if (created) ignoreErrors(() => fs.rmSync(temp, { force: true }));
    throw error;
  }
  syncDirectorySync(dirname(path));
}

function checkArguments(api: string, path: unknown, bytes: unknown): void {
  if (typeof path !== 'string') throw argumentError(TypeError, api, 'path', 'a file path string', path);
  if (path.length === 0) throw argumentError(RangeError, api, 'path', 'a non-empty file path', path);
  if (!(bytes instanceof Uint8Array)) throw argumentError(TypeError, api, 'bytes', 'a Uint8Array', bytes);
}

/** `.model.safetensors.<pid>.<random>.tmp` next to the target: hidden, unique across processes and calls. */
function tempPathFor(path: string): string {
  // Keep the name under the usual 255-byte NAME_MAX even for long target names.
  const base = basename(path).slice(0, 200);
  return join(dirname(path), `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

// Directory fsync is best effort: Windows cannot open a directory for fsync, and some file systems
// (network mounts, FUSE) refuse it. By the time it runs the rename has happened and the new file is
// complete, so reporting a failure here would wrongly tell the caller that the save did not happen.
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(directory, 'r');
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function syncDirectorySync(directory: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort, see syncDirectory
  } finally {
    if (fd !== undefined) ignoreErrors(() => fs.closeSync(fd!));
  }
}

function ignoreErrors(action: () => void): void {
  try {
    action();
  } catch {
    // cleanup after a failure: the original error is the one worth reporting
  }
}
