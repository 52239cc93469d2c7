/** POST /api/callbacks/<workflow id>/<step> over real HTTP, up to the point where Temporal is needed. */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../actions/definition.js';
import { SelfServiceUnavailable, type TemporalAccess } from '../actions/launcher.js';
import { signBody } from '../activities/webhook.js';
import { openState, type BotState } from '../state/index.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { signCallback } from './callback-signature.js';
import { callbacksRoute } from './callbacks-route.js';
import { Metrics } from './metrics.js';
import { startHttpServer } from './server.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));
const SECRETS: Record<string, string> = { PROVISION_HOOK_SECRET: 'provision-secret-0123456789', DEPLOY_HOOK_SECRET: 'deploy-secret-0123456789' };
const PROVISION = 'provision/payments-api/postgres/production';
const ROLLBACK = 'rollback/payments-api';
/** A webhook step that polls: its receiver has the secret but is never asked to call back. */
const TIDY = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: tidy, title: Tidy a service, description: A job finished by polling }
spec:
  command: /tidy
  usage: <service>
  key: "{{service.name}}"
  inputs:
    - { name: service, title: Service, type: service, required: true }
  approval: { approvers: [{ ownerOf: service }] }
  steps:
    - id: job
      title: Run the cleanup job
      run: webhook
      with: { url: "https://infra.quillmere.example/hooks/tidy", secretEnv: PROVISION_HOOK_SECRET, callback: false, pollUrl: "https://infra.quillmere.example/hooks/status", timeout: 1m }
`;

let base: string;
let close: () => Promise<void>;
let tree: TempTree;
let state: BotState;
/** How many times the route asked for a Temporal client. */
let clientCalls = 0;

const temporal: TemporalAccess = {
  client: async () => {
    clientCalls++;
    throw new SelfServiceUnavailable('Temporal at 127.0.0.1:7233 (namespace default) cannot be reached: connection refused');
  },
};

beforeAll(async () => {
  tree = tempTree('switchboard-callbacks-');
  state = openState(tree.path('state.db'));
  tree.write('actions/tidy.yaml', TIDY);
  const actions = [...loadActions(SHIPPED).actions, ...loadActions(tree.path('actions')).actions];
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    metrics: new Metrics(),
    logger: pino({ level: 'silent' }),
    health: () => ({ status: 'ok' }),
    routes: {
      'POST /api/callbacks/*': callbacksRoute({
        actions,
        secret: (name) => SECRETS[name],
        temporal,
        claim: (key) => state.claimDelivery(key),
        release: (key) => state.releaseDelivery(key),
      }),
    },
  });
  base = `http://127.0.0.1:${http.port}/api/callbacks/`;
  close = http.close;
});

afterAll(async () => {
  await close?.();
  state?.close();
  tree?.cleanup();
});

beforeEach(() => {
  clientCalls = 0;
});

/** The path as Switchboard hands it to receivers: the workflow id and the step, each URI-encoded. */
const pathOf = (workflowId: string, step: string) => `${encodeURIComponent(workflowId)}/${encodeURIComponent(step)}`;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
  return { status: res.status, body: (await res.json()) as { error?: string; message?: string; problems?: string[] } };
}
/** Posts `body` to `path`, signed for it as a receiver does, with `secret` at `at`. */
function signed(path: string, body: unknown, secret: string, at = new Date()) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return post(path, text, signCallback(secret, base + path, text, at));
}

const done = { status: 'succeeded', message: 'postgres is ready', output: { url: 'https://console.example/db/1', title: 'Console' } };

describe('POST /api/callbacks/<workflow id>/<step>', () => {
  it('passes a well-signed callback on to Temporal, and answers 503 with the reason when it is unavailable', async () => {
    const res = await signed(pathOf(PROVISION, 'provision'), done, SECRETS.PROVISION_HOOK_SECRET as string);
    expect(res).toEqual({
      status: 503,
      body: { error: 'unavailable', message: 'Temporal at 127.0.0.1:7233 (namespace default) cannot be reached: connection refused' },
    });
    expect(clientCalls).toBe(1);
  });

  it('reads the workflow id with its slashes written out as well as encoded', async () => {
    const res = await signed(`${PROVISION}/provision`, done, SECRETS.PROVISION_HOOK_SECRET as string);
    expect(res.status).toBe(503);
  });

  it('checks each step against the secret its action names', async () => {
    expect((await signed(pathOf(ROLLBACK, 'deploy'), done, SECRETS.DEPLOY_HOOK_SECRET as string)).status).toBe(503);
    const crossed = await signed(pathOf(ROLLBACK, 'deploy'), done, SECRETS.PROVISION_HOOK_SECRET as string);
    expect(crossed.status).toBe(401);
  });

  describe('404', () => {
    it('for a workflow id of no known action', async () => {
      const res = await signed(pathOf('deploy-everything/payments-api', 'deploy'), done, SECRETS.DEPLOY_HOOK_SECRET as string);
      expect(res).toEqual({
        status: 404,
        body: { error: 'not_found', message: 'No webhook step deploy of a request deploy-everything/payments-api takes callbacks here' },
      });
    });

    it('for a step the action does not have', async () => {
      const res = await signed(pathOf(PROVISION, 'teardown'), done, SECRETS.PROVISION_HOOK_SECRET as string);
      expect(res.status).toBe(404);
      expect(res.body.message).toContain('teardown');
    });

    it('for a webhook step finished by polling, not by callback', async () => {
      const res = await signed(pathOf('tidy/ledger', 'job'), done, SECRETS.PROVISION_HOOK_SECRET as string);
      expect(res.status).toBe(404);
      expect(clientCalls).toBe(0);
    });

    it('for a step that is not a webhook', async () => {
      expect((await signed(pathOf('provision/payments-api/bucket/staging', 'bucket'), done, SECRETS.PROVISION_HOOK_SECRET as string)).status).toBe(404);
      expect((await signed(pathOf(PROVISION, 'record'), done, SECRETS.PROVISION_HOOK_SECRET as string)).status).toBe(404);
    });

    it('for a path with no step', async () => {
      const res = await post('provision', done);
      expect(res.status).toBe(404);
      expect(clientCalls).toBe(0);
    });

    it('for an action name without the slash that ends it', async () => {
      // `provisioning/…` must not be read as a request of `provision`.
      expect((await signed(pathOf('provisioning/payments-api', 'provision'), done, SECRETS.PROVISION_HOOK_SECRET as string)).status).toBe(404);
    });
  });

  describe('401', () => {
    it('for a callback without a signature', async () => {
      const res = await post(pathOf(PROVISION, 'provision'), done);
      expect(res).toEqual({ status: 401, body: { error: 'invalid_signature', message: 'the x-switchboard-timestamp header is missing' } });
      expect(clientCalls).toBe(0);
    });

    it('for a callback signed with another secret', async () => {
      const res = await signed(pathOf(PROVISION, 'provision'), done, 'forged-secret-0123456789');
      expect(res.status).toBe(401);
      expect(res.body.message).toContain('does not match');
      expect(clientCalls).toBe(0);
    });

    it('for a body changed after it was signed', async () => {
      const text = JSON.stringify(done);
      const res = await post(
        pathOf(PROVISION, 'provision'),
        JSON.stringify({ ...done, status: 'failed' }),
        signCallback(SECRETS.PROVISION_HOOK_SECRET as string, base + pathOf(PROVISION, 'provision'), text),
      );
      expect(res.status).toBe(401);
    });

    it('for a stale signature, as a replay', async () => {
      const res = await signed(pathOf(PROVISION, 'provision'), done, SECRETS.PROVISION_HOOK_SECRET as string, new Date(Date.now() - 10 * 60_000));
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/replayed request/);
      expect(clientCalls).toBe(0);
    });

    it('for a callback signed for another request, with the same secret', async () => {
      const other = 'provision/ledger/postgres/staging';
      const text = JSON.stringify(done);
      const res = await post(
        pathOf(PROVISION, 'provision'),
        text,
        signCallback(SECRETS.PROVISION_HOOK_SECRET as string, base + pathOf(other, 'provision'), text),
      );
      expect(res).toEqual({ status: 401, body: { error: 'invalid_signature', message: expect.stringContaining('another request or step') } });
      expect(clientCalls).toBe(0);
    });

    it('for a body signed the v1 way (over the body alone), saying callbacks use v2', async () => {
      const text = JSON.stringify(done);
      const res = await post(pathOf(PROVISION, 'provision'), text, signBody(SECRETS.PROVISION_HOOK_SECRET as string, text));
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/signed with v2/);
    });

    it('for a timestamp more than 5 minutes in the future', async () => {
      const res = await signed(pathOf(PROVISION, 'provision'), done, SECRETS.PROVISION_HOOK_SECRET as string, new Date(Date.now() + 6 * 60_000));
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/in the future/);
      expect(clientCalls).toBe(0);
    });

    it('before it looks at the body', async () => {
      expect((await post(pathOf(PROVISION, 'provision'), '{oops')).status).toBe(401);
    });
  });

  describe('400', () => {
    const secret = SECRETS.PROVISION_HOOK_SECRET as string;

    it('for a signed body that is not JSON', async () => {
      expect(await signed(pathOf(PROVISION, 'provision'), '{oops', secret)).toEqual({
        status: 400,
        body: { error: 'invalid_json', message: 'The body is not JSON' },
      });
    });

    it('for a status that is neither succeeded nor failed, naming the field', async () => {
      const res = await signed(pathOf(PROVISION, 'provision'), { status: 'done' }, secret);
      expect(res).toEqual({ status: 400, body: { error: 'invalid_body', problems: ['status: must be "succeeded" or "failed"'] } });
      expect(clientCalls).toBe(0);
    });

    it('for a missing status, a long message and an output that is not an object, naming each field', async () => {
      const res = await signed(pathOf(PROVISION, 'provision'), { message: 'x'.repeat(2001), output: 'https://console.example' }, secret);
      expect(res.status).toBe(400);
      expect(res.body.problems?.map((p) => p.split(':')[0])).toEqual(['status', 'message', 'output']);
    });

    it('for a body that is not an object', async () => {
      const res = await signed(pathOf(PROVISION, 'provision'), '[]', secret);
      expect(res.status).toBe(400);
      expect(res.body.problems).toEqual([expect.stringMatching(/^body: /)]);
    });
  });

  it('does not use up a signed callback that Temporal never received: the same request may be sent again', async () => {
    const text = JSON.stringify(done);
    const headers = signCallback(SECRETS.PROVISION_HOOK_SECRET as string, base + pathOf(PROVISION, 'provision'), text);
    expect((await post(pathOf(PROVISION, 'provision'), text, headers)).status).toBe(503);
    expect((await post(pathOf(PROVISION, 'provision'), text, headers)).status).toBe(503);
    expect(clientCalls).toBe(2);
  });

  it('refuses a body over 256 KiB with 413', async () => {
    const big = JSON.stringify({ status: 'succeeded', output: { blob: 'x'.repeat(300 * 1024) } });
    const res = await fetch(base + pathOf(PROVISION, 'provision'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signCallback(SECRETS.PROVISION_HOOK_SECRET as string, base + pathOf(PROVISION, 'provision'), big) },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(clientCalls).toBe(0);
  });
});
