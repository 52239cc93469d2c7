import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { EXTERNAL } from './fixtures.js';
import { blockActionsBody, eventBody, postSigned, signSlackRequest, slashCommandBody } from './slack-signing.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

describe('signSlackRequest', () => {
  it('matches an HMAC-SHA256 over v0:timestamp:body computed independently', () => {
    const body = 'token=x&command=%2Fping&text=hello';
    const expected = 'v0=' + createHmac('sha256', SECRET).update(`v0:1531420618:${body}`).digest('hex');
    expect(signSlackRequest(SECRET, body, 1531420618)).toEqual({
      'x-slack-signature': expected,
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('is accepted by Bolt’s own request verifier', () => {
    const body = slashCommandBody({ command: '/ping', text: '' });
    const headers = signSlackRequest(SECRET, body);
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: { ...headers, 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
      }),
    ).not.toThrow();
  });
});

describe('request bodies', () => {
  it('slashCommandBody carries every field of the fixture body, with overrides', () => {
    const fixture = new URLSearchParams(readFileSync(join(EXTERNAL, 'slack/slash_command_form_body.txt'), 'utf8'));
    const body = new URLSearchParams(slashCommandBody({ command: '/who', text: 'owns payments api', response_url: 'http://127.0.0.1:1/response/r1' }));
    for (const key of fixture.keys()) {
      if (key.startsWith('enterprise_')) continue; // only present for Enterprise Grid installs
      expect(body.has(key), key).toBe(true);
    }
    expect(body.get('command')).toBe('/who');
    expect(body.get('text')).toBe('owns payments api');
    expect(body.get('response_url')).toBe('http://127.0.0.1:1/response/r1');
    expect(body.get('team_id')).toBe('T0001');
  });

  it('blockActionsBody wraps the JSON payload in a single payload form field', () => {
    const payload = { type: 'block_actions', actions: [{ action_id: 'ack', value: 'a b&c' }] };
    expect(JSON.parse(new URLSearchParams(blockActionsBody(payload)).get('payload')!)).toEqual(payload);
  });

  it('eventBody builds an event_callback envelope with a fresh event_id each time', () => {
    const event = { type: 'app_mention', text: '<@UBOT0001> who owns payments', channel: 'C1', ts: '1.000100' };
    const a = JSON.parse(eventBody(event));
    const b = JSON.parse(eventBody(event, { team_id: 'T9' }));
    expect(a).toMatchObject({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0001', event });
    expect(a.authorizations[0]).toMatchObject({ team_id: 'T0001', is_bot: true });
    expect(b.team_id).toBe('T9');
    expect(a.event_id).not.toBe(b.event_id);
  });
});

describe('postSigned', () => {
  it('sends signed headers and picks the content type from the body', async () => {
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    try {
      const json = eventBody({ type: 'app_mention' });
      await postSigned(url, SECRET, json, { timestamp: 1700000000 });
      await postSigned(url, SECRET, slashCommandBody({ command: '/ping', text: '' }), { headers: { 'x-extra': '1' } });
      expect(seen[0]!.headers['content-type']).toBe('application/json');
      expect(seen[0]!.headers['x-slack-signature']).toBe(signSlackRequest(SECRET, json, 1700000000)['x-slack-signature']);
      expect(seen[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(seen[1]!.headers['x-extra']).toBe('1');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
