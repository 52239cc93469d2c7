import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('has working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      SWITCHBOARD_DB: './data/switchboard.db',
      SWITCHBOARD_CATALOG: ['./manifests/catalog'],
      PORT: 3000,
      TEMPORAL_TASK_QUEUE: 'switchboard',
    });
  });

  it('splits SWITCHBOARD_CATALOG on commas', () => {
    expect(loadConfig({ SWITCHBOARD_CATALOG: 'a, b ,c' }).SWITCHBOARD_CATALOG).toEqual(['a', 'b', 'c']);
  });

  it('treats a blank optional variable as unset', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: '' }).SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('names the variable of a bad port', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: /);
  });

  it('names the variable of a bot token of the wrong kind', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xapp-1', SLACK_SIGNING_SECRET: 'secret-123' })).toThrow(/SLACK_BOT_TOKEN: must be a bot token/);
  });

  it('requires a signing secret for Slack over HTTP', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: is required/);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: '-1', TEMPORAL_ADDRESS: 'nope' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'TEMPORAL_ADDRESS']);
    }
  });
});
