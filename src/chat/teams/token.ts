/**
 * The bot's own outbound token: Entra ID's client-credentials grant, as Bot Framework documents it
 * ("Authenticate requests from your bot to the Bot Connector service"): POST
 * `<login>/<tenant>/oauth2/v2.0/token` with `grant_type=client_credentials`, the app id and password, and
 * scope `https://api.botframework.com/.default`.
 *
 * The Teams SDK gets this token through MSAL, which refuses an authority that is not Microsoft's; this
 * small client talks to whatever TEAMS_LOGIN_ENDPOINT names, so the loopback emulator works too.
 */

export interface BotTokenSourceOptions {
  /** e.g. `https://login.microsoftonline.com` (no tenant, no trailing path). */
  loginEndpoint: string;
  tenantId: string;
  appId: string;
  appPassword: string;
  scope?: string;
  /** Clock in ms; Date.now by default. */
  now?: () => number;
  fetch?: typeof fetch;
  /** Per request; 10 s by default. */
  timeoutMs?: number;
}

export interface BotTokenSource {
  /** A token valid for at least a few more minutes; concurrent callers share one request. */
  token(): Promise<string>;
  /** Drops the cached token, e.g. after the Connector answered 401. */
  invalidate(): void;
}

/** A failed token request; the message names the endpoint and Entra's AADSTS error, never the secret. */
export class BotTokenError extends Error {
  override readonly name = 'BotTokenError';
  constructor(
    message: string,
    readonly endpoint: string,
    readonly status?: number,
    /** OAuth error, e.g. 'invalid_client'. */
    readonly error?: string,
    /** e.g. 'AADSTS7000215'. */
    readonly aadsts?: string,
  ) {
    super(message);
  }
}

/** Refresh this long before expiry, so no call goes out with a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export function createBotTokenSource(options: BotTokenSourceOptions): BotTokenSource {
  const { tenantId, appId, appPassword, scope = 'https://api.botframework.com/.default', now = Date.now, timeoutMs = 10_000 } = options;
  const doFetch = options.fetch ?? fetch;
  const endpoint = `${options.loginEndpoint.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  let cached: { token: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  // Entra descriptions quote the client id, not the secret; redact what the server said anyway, so no answer can
  // echo the secret into a log. (Below 8 characters it is no real Entra secret, and redacting would mangle words.)
  const clean = (text: string) => (appPassword.length >= 8 ? text.split(appPassword).join('[redacted]') : text);
  const fail = (detail: string, status?: number, error?: string, aadsts?: string) =>
    new BotTokenError(`Token request to ${endpoint} failed: ${clean(detail)}`, endpoint, status, error, aadsts);

  const request = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: appPassword, scope });
    const startedAt = now();
    let res: Response;
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err));
    }
    const text = await res.text().catch(() => '');
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
    } catch {
      // Not JSON (a proxy's HTML page): reported by status below.
    }
    if (!res.ok) {
      const error = typeof json.error === 'string' ? json.error : undefined;
      // The description's first line is the AADSTS sentence; trace and correlation ids follow on their own lines.
      const description = typeof json.error_description === 'string' ? json.error_description.split(/\r?\n/)[0]!.trim() : undefined;
      const aadsts = /AADSTS\d+/.exec(description ?? '')?.[0];
      const detail = [error, description].filter(Boolean).join(': ') || text.slice(0, 200) || res.statusText;
      throw fail(`HTTP ${res.status} ${detail}`, res.status, error, aadsts);
    }
    const token = json.access_token;
    const expiresIn = Number(json.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw fail(`HTTP ${res.status} without access_token and expires_in`, res.status);
    }
    const lifetime = expiresIn * 1000;
    // A token shorter-lived than twice the margin is used for its first half instead.
    cached = { token, refreshAt: startedAt + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 2) };
    return token;
  };

  return {
    token() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      inflight ??= request().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
