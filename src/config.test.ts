import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('has working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      SWITCHBOARD_DB: './data/switchboard.db',
      PORT: 3000,
      TEMPORAL_TASK_QUEUE: 'switchboard',
    });
  });

  it('finds what ships with Switchboard beside the installation, from any folder', () => {
    const c = loadConfig({});
    const shipped = [...c.SWITCHBOARD_CATALOG, c.SWITCHBOARD_ACTIONS, c.SWITCHBOARD_TEMPLATES];
    expect(shipped.map((p) => p.replace(/\\/g, '/').split('/').slice(-2).join('/'))).toEqual(['manifests/catalog', 'manifests/actions', 'manifests/templates']);
    for (const p of shipped) {
      expect(isAbsolute(p), p).toBe(true);
      expect(existsSync(p), p).toBe(true);
    }
    // What an operator sets is taken as written.
    expect(loadConfig({ SWITCHBOARD_ACTIONS: './my-actions' }).SWITCHBOARD_ACTIONS).toBe('./my-actions');
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

  it('pages through PagerDuty and Opsgenie at their public addresses unless told otherwise, and names a bad one', () => {
    const c = loadConfig({});
    expect([c.PAGERDUTY_EVENTS_URL, c.PAGERDUTY_API_URL, c.OPSGENIE_API_URL]).toEqual([
      'https://events.pagerduty.com',
      'https://api.pagerduty.com',
      'https://api.opsgenie.com',
    ]);
    expect(() => loadConfig({ PAGERDUTY_EVENTS_URL: 'events.pagerduty.com' })).toThrow(/PAGERDUTY_EVENTS_URL: must be the PagerDuty Events API base URL/);
  });

  it('opens "Not ours" pull requests at GitHub’s and GitLab’s public APIs unless told otherwise, and names a bad address', () => {
    const c = loadConfig({});
    expect([c.GITHUB_API_URL, c.GITLAB_API_URL, c.GITHUB_TOKEN, c.GITLAB_TOKEN]).toEqual([
      'https://api.github.com',
      'https://gitlab.com/api/v4',
      undefined,
      undefined,
    ]);
    expect(loadConfig({ GITHUB_API_URL: 'https://github.example.com/api/v3/' }).GITHUB_API_URL).toBe('https://github.example.com/api/v3');
    expect(() => loadConfig({ GITHUB_API_URL: 'api.github.com' })).toThrow(/GITHUB_API_URL: must be the GitHub REST API base URL/);
    expect(() => loadConfig({ GITLAB_API_URL: 'https://gitlab.example.com' })).toThrow(/GITLAB_API_URL: must end in \/api\/v4/);
    expect(() => loadConfig({ GITHUB_TOKEN: 'short' })).toThrow(/GITHUB_TOKEN: looks too short/);
  });

  it('refuses GitHub and GitLab APIs on one host, where a remote could not tell which token to use', () => {
    const both = { GITHUB_TOKEN: 'ghp_1234567890', GITLAB_TOKEN: 'glpat-1234567890' };
    expect(() => loadConfig({ ...both, GITHUB_API_URL: 'https://git.example.com/api/v3', GITLAB_API_URL: 'https://git.example.com/api/v4' })).toThrow(
      /GITHUB_API_URL \/ GITLAB_API_URL: both name the host git\.example\.com/,
    );
    expect(loadConfig(both).GITLAB_TOKEN).toBe('glpat-1234567890');
  });

  it('names the variable of a bot token of the wrong kind', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xapp-1', SLACK_SIGNING_SECRET: 'secret-123' })).toThrow(/SLACK_BOT_TOKEN: must be a bot token/);
  });

  it('requires a signing secret for Slack over HTTP', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: is required/);
  });

  describe('Teams', () => {
    const TEAMS = {
      TEAMS_APP_ID: '5f0c2b7e-3d1a-4c8e-9b6a-2e7d4f1a9c03',
      TEAMS_APP_PASSWORD: 'client-secret-value',
      TEAMS_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    };

    it('defaults to the public cloud', () => {
      const config = loadConfig(TEAMS);
      expect(config.TEAMS_OPENID_METADATA_URL).toBe('https://login.botframework.com/v1/.well-known/openidconfiguration');
      expect(config.TEAMS_TOKEN_ISSUER).toBe('https://api.botframework.com');
      expect(config.TEAMS_LOGIN_ENDPOINT).toBe('https://login.microsoftonline.com');
    });

    it('names a Teams id that is not a GUID, and a missing tenant', () => {
      expect(() => loadConfig({ ...TEAMS, TEAMS_APP_ID: 'my-bot' })).toThrow(/TEAMS_APP_ID: must be the Microsoft App ID/);
      expect(() => loadConfig({ ...TEAMS, TEAMS_TENANT_ID: '' })).toThrow(/TEAMS_TENANT_ID: is required with TEAMS_APP_ID/);
      expect(() => loadConfig({ TEAMS_APP_ID: TEAMS.TEAMS_APP_ID, TEAMS_TENANT_ID: TEAMS.TEAMS_TENANT_ID })).toThrow(/set both or neither/);
    });

    it('refuses an OpenID metadata URL whose key set the SDK could not find', () => {
      expect(() => loadConfig({ ...TEAMS, TEAMS_OPENID_METADATA_URL: 'https://login.example/v1/.well-known/openid-configuration' })).toThrow(
        /TEAMS_OPENID_METADATA_URL: must end in \/openidconfiguration/,
      );
    });
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
