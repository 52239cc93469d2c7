/**
 * How Switchboard authenticates to Temporal: mTLS (TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY, a private CA
 * in TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME when the certificate names another host) and Temporal
 * Cloud API keys (TEMPORAL_API_KEY, which always runs over TLS). The files are read once at start-up;
 * the client and the worker's connection get the same settings. With none of these set the
 * connection is plaintext, as for a local dev server.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

/** The TEMPORAL_* settings this module reads (a subset of Config). */
export interface TemporalAuthEnv {
  TEMPORAL_ADDRESS?: string | undefined;
  TEMPORAL_TLS_CERT?: string | undefined;
  TEMPORAL_TLS_KEY?: string | undefined;
  TEMPORAL_TLS_CA?: string | undefined;
  TEMPORAL_TLS_SERVER_NAME?: string | undefined;
  TEMPORAL_API_KEY?: string | undefined;
}

/** What Connection.connect and NativeConnection.connect take, besides the address. */
export interface TemporalConnectionSettings {
  /** Absent: plaintext. */
  tls?: TLSConfig;
  apiKey?: string;
}

const FILES = ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA'] as const;

/** Problems with the TEMPORAL_* auth settings, each naming its variable; config.ts reports them with the rest. */
export function temporalAuthProblems(env: TemporalAuthEnv): string[] {
  const problems: string[] = [];
  if (env.TEMPORAL_TLS_CERT && !env.TEMPORAL_TLS_KEY)
    problems.push('TEMPORAL_TLS_KEY: is required with TEMPORAL_TLS_CERT (the client certificate’s private key)');
  if (env.TEMPORAL_TLS_KEY && !env.TEMPORAL_TLS_CERT) problems.push('TEMPORAL_TLS_CERT: is required with TEMPORAL_TLS_KEY (the client certificate)');
  const secured = FILES.some((f) => env[f]) || env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_SERVER_NAME;
  // The local dev server Switchboard starts speaks plaintext only.
  if (secured && !env.TEMPORAL_ADDRESS) problems.push('TEMPORAL_ADDRESS: is required with TEMPORAL_TLS_* / TEMPORAL_API_KEY (the local dev server has no TLS)');
  for (const name of FILES) {
    const path = env[name];
    if (!path) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      problems.push(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return problems;
}

export class TemporalAuthError extends Error {
  readonly code = 'TEMPORAL_AUTH_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'TemporalAuthError';
  }
}

/** Reads the certificate files (once, at start-up) into the settings both connections use. */
export function temporalConnectionSettings(env: TemporalAuthEnv): TemporalConnectionSettings {
  const problems = temporalAuthProblems(env);
  if (problems.length) throw new TemporalAuthError(problems.join('; '));
  const read = (name: (typeof FILES)[number]): Buffer | undefined => {
    const path = env[name];
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new TemporalAuthError(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const crt = read('TEMPORAL_TLS_CERT');
  const key = read('TEMPORAL_TLS_KEY');
  const ca = read('TEMPORAL_TLS_CA');
  const wantsTls = Boolean(crt || ca || env.TEMPORAL_TLS_SERVER_NAME || env.TEMPORAL_API_KEY);
  if (!wantsTls) return {};
  const tls: TLSConfig = {
    ...(crt && key && { clientCertPair: { crt, key } }),
    ...(ca && { serverRootCACertificate: ca }),
    ...(env.TEMPORAL_TLS_SERVER_NAME && { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME }),
  };
  return { tls, ...(env.TEMPORAL_API_KEY && { apiKey: env.TEMPORAL_API_KEY }) };
}

/** For logs: how the connection authenticates, never the material. */
export function describeTemporalAuth(settings: TemporalConnectionSettings): string {
  if (!settings.tls) return 'plaintext';
  const parts = [settings.tls.clientCertPair ? 'mTLS' : 'TLS'];
  if (settings.tls.serverRootCACertificate) parts.push('private CA');
  if (settings.apiKey) parts.push('API key');
  return parts.join(' + ');
}
