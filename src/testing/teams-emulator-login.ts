/**
 * The Entra ID token endpoint for the client-credentials grant, as a bot uses it to call the Connector:
 * `POST <login>/<tenant>/oauth2/v2.0/token`, form-encoded, answering `{ token_type, expires_in,
 * ext_expires_in, access_token }` or an AADSTS error.
 *
 * Error bodies copy Entra's shape as seen in published failures (error, error_description with trace
 * lines, error_codes, timestamp, trace_id, correlation_id, error_uri): 401 invalid_client AADSTS7000215
 * for a wrong secret, 400 unauthorized_client AADSTS700016 for an unknown client id, 400 AADSTS90002 for
 * an unknown tenant, 400 invalid_scope AADSTS1002012 for a scope without `/.default`.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

const BOT_SCOPE = 'https://api.botframework.com/.default';

export interface LoginConfig {
  appId: string;
  appPassword: string;
  tenantId: string;
  lifetimeSeconds: number;
}

export interface LoginAnswer {
  status: number;
  body: Record<string, unknown>;
}

function aadError(status: number, error: string, code: number, description: string): LoginAnswer {
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** Issues and remembers access tokens; the Connector asks `valid()` about each bearer it is shown. */
export function createLogin(config: LoginConfig, now: () => number = Date.now) {
  // Nothing but this emulator reads these tokens, and it looks them up rather than verifying them, so an
  // HMAC gives them a JWT's shape without a second RSA key.
  const secret = randomBytes(32);
  const issued = new Map<string, number>(); // token → expiry (ms)

  const mint = (): string => {
    const iat = Math.floor(now() / 1000);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = {
      aud: 'https://api.botframework.com',
      iss: `https://sts.windows.net/${config.tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + config.lifetimeSeconds,
      appid: config.appId,
      tid: config.tenantId,
      jti: randomUUID(),
    };
    const input = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(claims)}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    issued.set(token, now() + config.lifetimeSeconds * 1000);
    return token;
  };

  return {
    /** Answers one token request; `contentType` and `raw` as the request carried them. */
    token(tenant: string, contentType: string, raw: string): LoginAnswer {
      if (tenant !== config.tenantId) {
        return aadError(
          400,
          'invalid_request',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
        );
      }
      // Entra reads only form bodies; a JSON body reads as empty.
      const form = contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(raw) : new URLSearchParams();
      const grant = form.get('grant_type');
      if (!grant) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
      if (grant !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      const clientId = form.get('client_id') ?? '';
      if (clientId !== config.appId) {
        return aadError(
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        );
      }
      const clientSecret = form.get('client_secret');
      if (!clientSecret) {
        return aadError(
          401,
          'invalid_client',
          7000216,
          "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
      }
      if (clientSecret !== config.appPassword) {
        return aadError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${config.appId}'.`,
        );
      }
      const scope = form.get('scope') ?? '';
      if (!scope.endsWith('/.default')) {
        return aadError(
          400,
          'invalid_scope',
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      if (scope !== BOT_SCOPE) {
        const resource = scope.slice(0, -'/.default'.length);
        return aadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}.`);
      }
      return {
        status: 200,
        body: { token_type: 'Bearer', expires_in: config.lifetimeSeconds, ext_expires_in: config.lifetimeSeconds, access_token: mint() },
      };
    },
    valid(token: string): boolean {
      const expires = issued.get(token);
      return expires !== undefined && expires > now();
    },
    expireAll(): void {
      issued.clear();
    },
  };
}
