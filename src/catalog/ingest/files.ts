/**
 * Reading files for ingest without letting a descriptor reach outside its root: regular files only
 * (a FIFO would block the read forever, a device never ends), at most `maxBytes`, and targets a Location
 * names must resolve, symlinks followed, inside the folder of the operator-listed root they came from.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

export type FileRead =
  | { ok: true; text: string }
  /** `missing`: no such file; `limit`: over the size cap; `refused`: not a regular file. */
  | { ok: false; reason: 'missing' | 'limit' | 'refused' | 'error'; message: string };

export function readRegularFile(path: string, maxBytes: number): FileRead {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once and fstat can refuse it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'error', message: (err as Error).message };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'refused', message: 'not a regular file (FIFOs, sockets and devices are not read)' };
    if (stat.size > maxBytes) return { ok: false, reason: 'limit', message: overCap(stat.size, maxBytes) };
    // The size can change between fstat and read: read one byte past the cap to notice.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) return { ok: false, reason: 'limit', message: overCap(length, maxBytes) };
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } catch (err) {
    return { ok: false, reason: 'error', message: (err as Error).message };
  } finally {
    closeSync(fd);
  }
}

function overCap(size: number, maxBytes: number): string {
  return `the file is ${size > maxBytes ? `over ${maxBytes}` : size} bytes, over the ${maxBytes}-byte cap (catalog.limits.maxFileBytes)`;
}

/** True when `path`, as written, stays inside `folder` (no `..` escape). */
export function lexicallyInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Why `path` (which exists) may not be read as a target confined to `folder`: its real path, symlinks
 * resolved, leaves the folder's real path. Undefined when it stays inside or does not exist (the read
 * then reports it missing).
 */
export function escapesFolder(path: string, folder: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  let base: string;
  try {
    base = realpathSync(folder);
  } catch {
    base = folder;
  }
  return lexicallyInside(real, base) ? undefined : `it resolves to ${real}, outside ${base} (symlinks may not leave the root)`;
}
