import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
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

describe('digest in switchboard.yaml', () => {
  it('is off without the section: nothing is posted', () => {
    expect(parseSettings('oncall: {}\n', FILE).digest).toBeNull();
  });

  it('posts on Mondays at 09:00 UTC when the section is empty', () => {
    expect(parseSettings('digest: {}\n', FILE).digest).toEqual({ day: 'monday', hour: 9, minute: 0, timeZone: 'UTC' });
  });

  it('rejects a day, a time and a time zone that are not ones, naming each', () => {
    const found = problems('digest:\n  day: someday\n  time: "25:00"\n  timeZone: Mars/Olympus\n').join('\n');
    expect(found).toMatch(/digest\.day/);
    expect(found).toMatch(/digest\.time.*HH:MM/);
    expect(found).toMatch(/digest\.timeZone.*IANA/);
  });
});
