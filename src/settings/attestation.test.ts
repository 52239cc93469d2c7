import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { attestationSpec } from '../temporal/attestation-schedules.js';
import { parseSettings } from './index.js';

const FILE = '/etc/switchboard.yaml';
const problems = (text: string) => {
  try {
    parseSettings(text, FILE);
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('attestation in switchboard.yaml', () => {
  it('is off without the section: no team is asked', () => {
    expect(parseSettings('oncall: {}\n', FILE).attestation).toBeNull();
  });

  it('asks quarterly with a reminder after 7 days when the section is empty', () => {
    const s = parseSettings('attestation: {}\n', FILE).attestation;
    expect(s).toMatchObject({ every: 'quarterly', remindAfterDays: 7 });
    expect(s?.teams.size).toBe(0);
  });

  it('takes a period and a channel per team, by ref or name', () => {
    const s = parseSettings(
      'attestation:\n  every: 30d\n  remindAfter: 3d\n  teams:\n    team-ledger: { every: monthly, channel: "#ledger" }\n',
      FILE,
    ).attestation;
    expect(s).toMatchObject({ every: '30d', remindAfterDays: 3 });
    expect(s?.teams.get('group:default/team-ledger')).toEqual({ every: 'monthly', channel: '#ledger' });
  });

  it('refuses an unknown period, naming the key and line', () => {
    expect(problems('attestation:\n  every: weekly\n')).toEqual([`${FILE}:2: attestation.every: must be quarterly, monthly or a number of days such as 30d`]);
  });

  it('refuses a channel that is neither a channel id nor a #name', () => {
    expect(problems('attestation:\n  teams:\n    team-ledger: { channel: "https://evil.example" }\n')[0]).toContain(
      'attestation.teams.team-ledger.channel: must be a Slack channel id (C0123ABCD) or name (#team-payments)',
    );
  });
});

describe("a team's Teams channel in the attestation setting", () => {
  it("takes a standard channel's conversation id, new and old style", () => {
    const s = parseSettings(
      'attestation:\n  teams:\n    team-ledger: { channel: "#ledger", teamsChannel: "19:0a1b2c3d4e5f@thread.tacv2" }\n    team-fx: { teamsChannel: "19:AbC-9_z@thread.skype" }\n',
      FILE,
    ).attestation;
    expect(s?.teams.get('group:default/team-ledger')).toEqual({ channel: '#ledger', teamsChannel: '19:0a1b2c3d4e5f@thread.tacv2' });
    expect(s?.teams.get('group:default/team-fx')).toEqual({ teamsChannel: '19:AbC-9_z@thread.skype' });
  });

  it('refuses what is not a channel: a meeting chat, a 1:1, a message, a URL, a Slack channel, a number', () => {
    for (const bad of ['"19:meeting_abc@thread.v2"', '"a:1abcdef"', '"19:abc@thread.tacv2;messageid=17"', '"https://evil.example"', '"#ledger"', '42']) {
      expect(problems(`attestation:\n  teams:\n    team-ledger: { teamsChannel: ${bad} }\n`), bad).toEqual([
        `${FILE}:3: attestation.teams.team-ledger.teamsChannel: must be a Teams channel id such as 19:0a1b2c3d4e5f@thread.tacv2 (the conversation id of a standard channel)`,
      ]);
    }
  });
});

describe('attestationSpec', () => {
  it('runs quarterly rounds on the first day of each quarter', () => {
    expect(attestationSpec('quarterly')).toEqual({
      spec: { calendars: [{ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 1, hour: 9 }] },
      period: 'quarterly',
    });
  });

  it('runs a round every N days for <N>d', () => {
    expect(attestationSpec('30d')).toEqual({ spec: { intervals: [{ every: '30d' }] }, period: 'days' });
  });
});
