import { describe, expect, it } from 'vitest';
import { maskKey, pageTarget } from './target.js';

describe('pageTarget', () => {
  it('takes the integration key over a service id, as Backstage’s PagerDuty plugin does', () => {
    const key = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    expect(pageTarget({ 'pagerduty.com/integration-key': key, 'pagerduty.com/service-id': 'P1ABCDE' })).toEqual({
      target: { provider: 'pagerduty', integrationKey: key },
    });
  });

  it('pages a service by its id when that is all the descriptor names', () => {
    expect(pageTarget({ 'pagerduty.com/service-id': 'P1ABCDE' })).toEqual({ target: { provider: 'pagerduty', serviceId: 'P1ABCDE' } });
  });

  it('pages an Opsgenie team', () => {
    expect(pageTarget({ 'opsgenie.com/team': 'Payments On-Call' })).toEqual({ target: { provider: 'opsgenie', team: 'Payments On-Call' } });
  });

  it('refuses an integration key that is a URL: a descriptor cannot choose where the bot sends', () => {
    const found = pageTarget({ 'pagerduty.com/integration-key': 'https://internal.example/hook' });
    expect(found).toEqual({ problem: expect.stringContaining('is not a PagerDuty integration key') });
    expect(JSON.stringify(found)).not.toContain('internal.example');
  });

  it('refuses a service id with a path in it', () => {
    expect(pageTarget({ 'pagerduty.com/service-id': '../users/P1' })).toEqual({ problem: expect.stringContaining('is not a PagerDuty service id') });
  });

  it('names nothing to page when no annotation is there', () => {
    expect(pageTarget({ 'backstage.io/techdocs-ref': 'dir:.' })).toBeNull();
  });
});

describe('maskKey', () => {
  it('keeps four characters at each end and never the whole key', () => {
    expect(maskKey('a1b2c3d4e5f60718293a4b5c6d7e8f90')).toBe('a1b2…8f90');
    expect(maskKey('short')).toBe('…');
  });
});
