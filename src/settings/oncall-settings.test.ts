import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { parseSettings } from './index.js';

const problems = (text: string) => {
  try {
    parseSettings(text, '/etc/switchboard.yaml');
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('oncall.userGroups in switchboard.yaml', () => {
  it('maps teams, written as refs or names, to Slack user-group handles', () => {
    const s = parseSettings(
      'oncall:\n  userGroups:\n    group:default/team-payments: payments-oncall\n    team-ledger: ledger-oncall\n',
      '/etc/switchboard.yaml',
    );
    expect(s.oncall.userGroups).toEqual([
      { team: 'group:default/team-payments', handle: 'payments-oncall' },
      { team: 'group:default/team-ledger', handle: 'ledger-oncall' },
    ]);
    expect(s.oncall.syncEveryMinutes).toBe(60);
  });

  it('is empty without the setting: no team is opted in', () => {
    expect(parseSettings('catalog:\n  rules: [{ allow: [Component] }]\n', '/etc/switchboard.yaml').oncall.userGroups).toEqual([]);
  });

  it('refuses a handle with @ or capitals, naming the key and line', () => {
    expect(problems('oncall:\n  userGroups:\n    team-payments: "@Payments"\n')).toEqual([
      '/etc/switchboard.yaml:3: oncall.userGroups.team-payments: must be a Slack user-group handle without @, such as payments-oncall (lower case, up to 21 characters)',
    ]);
  });

  it('refuses a key that is not a Group ref', () => {
    expect(problems('oncall:\n  userGroups:\n    user:default/alice: alice-oncall\n')[0]).toMatch(
      /oncall\.userGroups\.user:default\/alice: must be a Group ref/,
    );
  });

  it('pages by service id unless the operator turns it off', () => {
    expect(parseSettings('catalog: {}\n', '/etc/switchboard.yaml').oncall.pageByServiceId).toBe(true);
    expect(parseSettings('oncall:\n  pageByServiceId: false\n', '/etc/switchboard.yaml').oncall.pageByServiceId).toBe(false);
  });

  it('refuses a sync interval under five minutes', () => {
    expect(problems('oncall:\n  syncEveryMinutes: 1\n')).toEqual(['/etc/switchboard.yaml:2: oncall.syncEveryMinutes: must be 5 or more']);
  });
});
