/**
 * Test support: inbound Slack requests built and signed exactly as Slack sends them, so tests can
 * drive the real HTTP receiver (signature check included) over loopback instead of faking Bolt.
 * Shapes follow fixtures/external/slack/ (slash_command_form_body.txt, events_app_mention*.json).
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Slack's v0 scheme: `v0=` + hex HMAC-SHA256(signing secret, `v0:<timestamp>:<raw body>`). */
export function signSlackRequest(signingSecret: string, body: string, timestamp: number = Math.floor(Date.now() / 1000)): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
}

/** Defaults match the fixture workspace (T0001 / C2147483705 / U2147483697), in Slack's field order. */
const SLASH_DEFAULTS = {
  token: 'gIkuvaNzQIHg97ATvDxqgjtO',
  team_id: 'T0001',
  team_domain: 'example',
  channel_id: 'C2147483705',
  channel_name: 'test',
  user_id: 'U2147483697',
  user_name: 'Steve',
  command: '',
  text: '',
  api_app_id: 'A0001',
  response_url: 'https://hooks.slack.com/commands/1234/5678',
  trigger_id: '13345224609.738474920.8088930838d88f008e0',
};

/** A slash command's form body; any field (response_url in particular) can be overridden or added. */
export function slashCommandBody(fields: Partial<Record<string, string>> & { command: string; text: string }): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...SLASH_DEFAULTS, ...fields })) {
    if (value !== undefined) params.append(key, value);
  }
  return params.toString();
}

/** Interactive payloads (block_actions, view_submission, ...) arrive as one form field holding JSON. */
export function blockActionsBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface EventEnvelope {
  token: string;
  team_id: string;
  api_app_id: string;
  event: object;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: { enterprise_id: string | null; team_id: string; user_id: string; is_bot: boolean; is_enterprise_install: boolean }[];
  [extra: string]: unknown;
}

/** A unique Events API id per call, so deduplication by event_id never merges two test events. */
function newEventId(): string {
  return `Ev${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** JSON body of an Events API `event_callback` delivery wrapping `event`. */
export function eventBody(event: object, envelope: Partial<EventEnvelope> = {}): string {
  const teamId = envelope.team_id ?? 'T0001';
  const full: EventEnvelope = {
    token: 'legacy-fixed-value',
    team_id: teamId,
    api_app_id: 'A0001',
    event,
    type: 'event_callback',
    event_id: newEventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'UBOT0001', is_bot: true, is_enterprise_install: false }],
    ...envelope,
  };
  return JSON.stringify(full);
}

export interface PostSignedOptions {
  contentType?: string;
  headers?: Record<string, string>;
  timestamp?: number;
}

/** POST `body` signed with `secret`; the content type follows the body's shape unless given. */
export function postSigned(url: string, secret: string, body: string, opts: PostSignedOptions = {}): Promise<Response> {
  const contentType = opts.contentType ?? (body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signSlackRequest(secret, body, opts.timestamp), ...opts.headers },
    body,
  });
}
