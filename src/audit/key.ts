/**
 * The audit key: HMAC-SHA256 key of the audit chain. It comes from SWITCHBOARD_AUDIT_KEY or from a
 * key file beside the database (`<data dir>/audit.key`, created 0600 by the first start without the
 * variable); it is never stored in the database, so someone who can write the database alone cannot
 * forge a row.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const MIN_KEY_BYTES = 32;
export const KEY_FILE = 'audit.key';

export class AuditKeyError extends Error {
  override readonly name = 'AuditKeyError';
  constructor(
    readonly code: 'AUDIT_KEY_INVALID' | 'AUDIT_KEY_FILE' | 'AUDIT_KEY_MISMATCH' | 'AUDIT_KEY_MISSING',
    message: string,
  ) {
    super(message);
  }
}

export interface AuditKey {
  bytes: Buffer;
  /** A fingerprint (HMAC of a fixed label), safe to store and show: tells keys apart, reveals nothing. */
  id: string;
  /** Where it came from, for messages: `SWITCHBOARD_AUDIT_KEY` or the key file's path. */
  source: string;
  /** True when the key file was created just now (a first start). */
  created: boolean;
}

/** Hex (64+ digits) or base64 of at least 32 bytes; the error says which rule failed, never the value. */
export function parseAuditKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-f]+$/i.test(t)) {
    if (t.length % 2 === 0 && t.length >= 2 * MIN_KEY_BYTES) return Buffer.from(t, 'hex');
    throw new AuditKeyError(
      'AUDIT_KEY_INVALID',
      `must be at least ${MIN_KEY_BYTES} bytes: ${2 * MIN_KEY_BYTES} or more hex digits (got ${t.length}), or base64; e.g. \`openssl rand -hex 32\``,
    );
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const bytes = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (bytes.length >= MIN_KEY_BYTES) return bytes;
    throw new AuditKeyError(
      'AUDIT_KEY_INVALID',
      `must be at least ${MIN_KEY_BYTES} bytes; this base64 decodes to ${bytes.length}; e.g. \`openssl rand -base64 32\``,
    );
  }
  throw new AuditKeyError('AUDIT_KEY_INVALID', 'must be hex or base64 (e.g. `openssl rand -hex 32`)');
}

export function keyId(bytes: Buffer): string {
  return createHmac('sha256', bytes).update('switchboard audit key id').digest('hex').slice(0, 16);
}

const asKey = (bytes: Buffer, source: string, created: boolean): AuditKey => ({ bytes, id: keyId(bytes), source, created });

export const keyFilePath = (dbFile: string) => join(dirname(resolve(dbFile)), KEY_FILE);

/**
 * The key to use: the configured one, else the key file beside `dbFile`; with `create`, a missing
 * key file is made (32 random bytes, hex, mode 0600). Undefined when there is none and `create` is
 * false (`audit --verify` does not make keys) or the database is in memory.
 */
export function resolveAuditKey(opts: { configured?: Buffer; dbFile: string; create: boolean }): AuditKey | undefined {
  if (opts.configured) return asKey(opts.configured, 'SWITCHBOARD_AUDIT_KEY', false);
  if (opts.dbFile === ':memory:') return undefined;
  const file = keyFilePath(opts.dbFile);
  if (!existsSync(file)) {
    if (!opts.create) return undefined;
    const bytes = randomBytes(MIN_KEY_BYTES);
    try {
      mkdirSync(dirname(file), { recursive: true });
      // `wx`: two processes starting at once must not each write a different key.
      writeFileSync(file, `${bytes.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      return asKey(bytes, file, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new AuditKeyError('AUDIT_KEY_FILE', `cannot create the audit key file ${file}: ${(err as Error).message}`);
    }
  }
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && mode & 0o077) {
    throw new AuditKeyError('AUDIT_KEY_FILE', `${file} can be read by others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${file}`);
  }
  try {
    return asKey(parseAuditKey(readFileSync(file, 'utf8')), file, false);
  } catch (err) {
    if (err instanceof AuditKeyError) throw new AuditKeyError('AUDIT_KEY_FILE', `${file}: the key ${err.message}`);
    throw err;
  }
}
