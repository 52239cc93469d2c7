import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { onCallAt, parseLocalTime, scheduleSpecSchema, type ScheduleSpec } from './oncall.js';

const spec = (input: unknown): ScheduleSpec => scheduleSpecSchema.parse(input);
const utc = (iso: string) => new Date(iso);

/** One weekly rotation, Mondays 09:00 in the given zone, alice → bob → carol. */
const weekly = (timeZone = 'UTC', extra: Record<string, unknown> = {}) =>
  spec({
    timeZone,
    rotations: [{ name: 'primary', start: '2026-01-05T09:00', every: '1w', participants: ['alice', 'bob', 'user:default/carol'] }],
    ...extra,
  });

function errorsOf(input: unknown): string {
  const result = scheduleSpecSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? '' : z.prettifyError(result.error);
}

describe('parseLocalTime', () => {
  it('reads a time without offset as wall-clock in the zone', () => {
    expect(parseLocalTime('2026-01-05T09:00', 'Europe/Berlin')).toEqual(utc('2026-01-05T08:00:00Z'));
    expect(parseLocalTime('2026-07-06T09:00', 'Europe/Berlin')).toEqual(utc('2026-07-06T07:00:00Z'));
  });

  it('reads a time with Z or an offset as absolute, ignoring the zone', () => {
    expect(parseLocalTime('2026-01-05T09:00Z', 'Europe/Berlin')).toEqual(utc('2026-01-05T09:00:00Z'));
    expect(parseLocalTime('2026-01-05T09:00:00-05:00', 'Europe/Berlin')).toEqual(utc('2026-01-05T14:00:00Z'));
  });

  it('reads a bare date as local midnight', () => {
    expect(parseLocalTime('2026-01-05', 'America/New_York')).toEqual(utc('2026-01-05T05:00:00Z'));
  });

  it('returns a plain Date so toISOString ends in Z', () => {
    expect(parseLocalTime('2026-01-05T09:00', 'Europe/Berlin').toISOString()).toBe('2026-01-05T08:00:00.000Z');
  });

  it('rejects text and impossible calendar dates', () => {
    expect(() => parseLocalTime('next monday', 'UTC')).toThrow(/next monday/);
    expect(() => parseLocalTime('2026-02-30T09:00', 'UTC')).toThrow(/2026-02-30/);
    expect(() => parseLocalTime('2026-01-05T24:00', 'UTC')).toThrow();
  });
});

describe('onCallAt', () => {
  it('weekly rotation: picks the participant for the shift and ends at the next handoff', () => {
    expect(onCallAt(weekly(), utc('2026-01-14T12:00:00Z'))).toEqual([
      { rotation: 'primary', user: 'bob', from: utc('2026-01-12T09:00:00Z'), until: utc('2026-01-19T09:00:00Z'), override: false },
    ]);
    // Wraps around: shift 3 goes back to the first participant.
    expect(onCallAt(weekly(), utc('2026-01-26T09:00:00Z'))[0]?.user).toBe('alice');
    expect(onCallAt(weekly(), utc('2026-01-26T08:59:59Z'))[0]?.user).toBe('user:default/carol');
  });

  it('daily rotation: hands off every day at the start time', () => {
    const s = spec({ rotations: [{ name: 'day', start: '2026-01-01T08:00', every: '1d', participants: ['a', 'b'] }] });
    expect(onCallAt(s, utc('2026-01-03T07:59:00Z'))).toEqual([
      { rotation: 'day', user: 'b', from: utc('2026-01-02T08:00:00Z'), until: utc('2026-01-03T08:00:00Z'), override: false },
    ]);
  });

  it('hourly rotation: shifts are N absolute hours long', () => {
    const s = spec({ rotations: [{ name: 'h', start: '2026-01-01T00:00', every: '12h', participants: ['a', 'b', 'c'] }] });
    expect(onCallAt(s, utc('2026-01-02T13:00:00Z'))).toEqual([
      { rotation: 'h', user: 'a', from: utc('2026-01-02T12:00:00Z'), until: utc('2026-01-03T00:00:00Z'), override: false },
    ]);
  });

  it('hourly rotation: spans DST changes in absolute hours, not wall-clock', () => {
    const s = spec({ timeZone: 'Europe/Berlin', rotations: [{ name: 'h', start: '2026-03-28T21:00', every: '24h', participants: ['a', 'b'] }] });
    // 24 h after 21:00 CET (20:00Z) is 20:00Z = 22:00 CEST on the 29th, not 21:00 local.
    expect(onCallAt(s, utc('2026-03-29T21:00:00Z'))[0]).toMatchObject({ user: 'b', from: utc('2026-03-29T20:00:00Z') });
  });

  it('DST: a Europe/Berlin weekly handoff stays at 09:00 local across the March and October changes', () => {
    const s = weekly('Europe/Berlin');
    // Winter (CET, +01:00): 09:00 local = 08:00Z.
    expect(onCallAt(s, utc('2026-03-25T12:00:00Z'))[0]).toMatchObject({
      from: utc('2026-03-23T08:00:00Z'),
      until: utc('2026-03-30T07:00:00Z'), // clocks went forward on 29 March: 09:00 CEST = 07:00Z
    });
    expect(onCallAt(s, utc('2026-07-01T12:00:00Z'))[0]).toMatchObject({ from: utc('2026-06-29T07:00:00Z') });
    expect(onCallAt(s, utc('2026-10-28T12:00:00Z'))[0]).toMatchObject({
      from: utc('2026-10-26T08:00:00Z'), // clocks went back on 25 October: 09:00 CET = 08:00Z again
      until: utc('2026-11-02T08:00:00Z'),
    });
    // The handoff is on the hour in local time, not an hour off in UTC.
    expect(onCallAt(s, utc('2026-03-30T06:59:59Z'))[0]?.from).toEqual(utc('2026-03-23T08:00:00Z'));
  });

  it('DST: a handoff that falls later in UTC than the nominal week (summer start, winter handoff) is not taken early', () => {
    const s = spec({ timeZone: 'Europe/Berlin', rotations: [{ name: 'p', start: '2026-07-06T09:00', every: '1w', participants: ['a', 'b'] }] });
    // 16 weeks after 07:00Z is 07:00Z on 26 October, but 09:00 CET is 08:00Z: b's shift is still running.
    expect(onCallAt(s, utc('2026-10-26T07:30:00Z'))[0]).toMatchObject({
      user: 'b',
      from: utc('2026-10-19T07:00:00Z'),
      until: utc('2026-10-26T08:00:00Z'),
    });
    expect(onCallAt(s, utc('2026-10-26T08:00:00Z'))[0]).toMatchObject({ user: 'a', from: utc('2026-10-26T08:00:00Z') });
  });

  it('DST: an America/New_York weekly handoff stays at 09:00 local across the March and November changes', () => {
    const s = weekly('America/New_York');
    // EST (-05:00) until 8 March 2026, EDT (-04:00) until 1 November 2026.
    expect(onCallAt(s, utc('2026-03-04T12:00:00Z'))[0]).toMatchObject({
      from: utc('2026-03-02T14:00:00Z'),
      until: utc('2026-03-09T13:00:00Z'),
    });
    expect(onCallAt(s, utc('2026-11-04T12:00:00Z'))[0]).toMatchObject({
      from: utc('2026-11-02T14:00:00Z'),
    });
    expect(onCallAt(s, utc('2026-10-28T12:00:00Z'))[0]).toMatchObject({
      from: utc('2026-10-26T13:00:00Z'),
      until: utc('2026-11-02T14:00:00Z'),
    });
  });

  it('before the rotation start: nobody', () => {
    expect(onCallAt(weekly(), utc('2026-01-05T08:59:59Z'))).toEqual([]);
  });

  it('at or after the rotation end: nobody', () => {
    const s = spec({ rotations: [{ name: 'p', start: '2026-01-05T09:00', every: '1w', participants: ['a', 'b'], end: '2026-02-02T09:00' }] });
    expect(onCallAt(s, utc('2026-02-02T09:00:00Z'))).toEqual([]);
    expect(onCallAt(s, utc('2027-01-01T00:00:00Z'))).toEqual([]);
  });

  it('a rotation end inside a shift cuts that shift short', () => {
    const s = spec({ rotations: [{ name: 'p', start: '2026-01-05T09:00', every: '1w', participants: ['a', 'b'], end: '2026-01-15T17:00' }] });
    expect(onCallAt(s, utc('2026-01-14T00:00:00Z'))[0]?.until).toEqual(utc('2026-01-15T17:00:00Z'));
  });

  it('a one-person rotation has no handoff: from start, until its end or null', () => {
    const s = spec({ rotations: [{ name: 'solo', start: '2026-01-05T09:00', every: '1d', participants: ['alice'] }] });
    expect(onCallAt(s, utc('2026-05-01T00:00:00Z'))).toEqual([
      { rotation: 'solo', user: 'alice', from: utc('2026-01-05T09:00:00Z'), until: null, override: false },
    ]);
  });

  it('an override covering the instant replaces the person, from/until its window', () => {
    const s = weekly('Europe/Berlin', { overrides: [{ user: 'dave', start: '2026-11-23T18:00', end: '2026-11-24T09:00' }] });
    expect(onCallAt(s, utc('2026-11-23T20:00:00Z'))).toEqual([
      { rotation: 'primary', user: 'dave', from: utc('2026-11-23T17:00:00Z'), until: utc('2026-11-24T08:00:00Z'), override: true },
    ]);
    // Once it ends, the rotation's person is back for the rest of the shift.
    expect(onCallAt(s, utc('2026-11-24T08:00:00Z'))[0]).toMatchObject({ override: false, until: utc('2026-11-30T08:00:00Z') });
  });

  it('an override starting later in the shift ends the current shift at the override start', () => {
    const s = weekly('Europe/Berlin', { overrides: [{ user: 'dave', start: '2026-11-25T18:00', end: '2026-11-26T09:00' }] });
    expect(onCallAt(s, utc('2026-11-24T12:00:00Z'))[0]).toMatchObject({
      override: false,
      from: utc('2026-11-23T08:00:00Z'),
      until: utc('2026-11-25T17:00:00Z'),
    });
  });

  it('an override may run across a handoff: until is its own end', () => {
    const s = weekly('UTC', { overrides: [{ user: 'dave', start: '2026-01-11T00:00Z', end: '2026-01-13T00:00Z' }] });
    expect(onCallAt(s, utc('2026-01-12T10:00:00Z'))[0]).toMatchObject({ user: 'dave', until: utc('2026-01-13T00:00:00Z') });
  });

  it('overlapping overrides: the one that started latest wins, and it cuts the earlier one short', () => {
    const s = weekly('UTC', {
      overrides: [
        { user: 'dave', start: '2026-01-10T00:00', end: '2026-01-12T00:00' },
        { user: 'erin', start: '2026-01-11T00:00', end: '2026-01-11T06:00' },
      ],
    });
    expect(onCallAt(s, utc('2026-01-10T12:00:00Z'))[0]).toMatchObject({ user: 'dave', until: utc('2026-01-11T00:00:00Z') });
    expect(onCallAt(s, utc('2026-01-11T03:00:00Z'))[0]).toMatchObject({ user: 'erin', until: utc('2026-01-11T06:00:00Z') });
    expect(onCallAt(s, utc('2026-01-11T07:00:00Z'))[0]).toMatchObject({ user: 'dave', until: utc('2026-01-12T00:00:00Z') });
  });

  it('two rotations give one entry each, in spec order', () => {
    const s = spec({
      rotations: [
        { name: 'primary', start: '2026-01-05T09:00', every: '1w', participants: ['alice', 'bob'] },
        { name: 'secondary', start: '2026-01-05T09:00', every: '1w', participants: ['bob', 'alice'] },
      ],
    });
    expect(onCallAt(s, utc('2026-01-06T00:00:00Z')).map((x) => [x.rotation, x.user])).toEqual([
      ['primary', 'alice'],
      ['secondary', 'bob'],
    ]);
  });

  it('an override naming the second rotation leaves the first alone', () => {
    const s = spec({
      rotations: [
        { name: 'primary', start: '2026-01-05T09:00', every: '1w', participants: ['alice', 'bob'] },
        { name: 'secondary', start: '2026-01-05T09:00', every: '1w', participants: ['bob', 'alice'] },
      ],
      overrides: [{ user: 'dave', start: '2026-01-05T12:00', end: '2026-01-06T12:00', rotation: 'secondary' }],
    });
    expect(onCallAt(s, utc('2026-01-05T10:00:00Z'))).toEqual([
      { rotation: 'primary', user: 'alice', from: utc('2026-01-05T09:00:00Z'), until: utc('2026-01-12T09:00:00Z'), override: false },
      { rotation: 'secondary', user: 'bob', from: utc('2026-01-05T09:00:00Z'), until: utc('2026-01-05T12:00:00Z'), override: false },
    ]);
    expect(onCallAt(s, utc('2026-01-06T00:00:00Z')).map((x) => x.user)).toEqual(['alice', 'dave']);
  });

  it('a start years in the past gives the right shift without walking every handoff', () => {
    const s = spec({
      timeZone: 'Europe/Berlin',
      rotations: [{ name: 'p', start: '1990-01-01T09:00', every: '1d', participants: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }],
    });
    const t0 = performance.now();
    const [shift] = onCallAt(s, utc('2026-07-15T12:00:00Z'));
    const elapsed = performance.now() - t0;
    // 1990-01-01 to 2026-07-15 is 13344 days; 13344 % 7 = 2.
    expect(shift).toMatchObject({ user: 'c', from: utc('2026-07-15T07:00:00Z'), until: utc('2026-07-16T07:00:00Z') });
    expect(elapsed).toBeLessThan(50);
  });

  it('a start given with Z is absolute, independent of the time zone', () => {
    const s = spec({ timeZone: 'Asia/Tokyo', rotations: [{ name: 'p', start: '2026-01-05T09:00Z', every: '1d', participants: ['a', 'b'] }] });
    expect(onCallAt(s, utc('2026-01-05T09:00:00Z'))[0]).toMatchObject({ user: 'a', from: utc('2026-01-05T09:00:00Z') });
  });

  it('property: for any instant after the start, from <= at < until and the person is a participant', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom('2020-01-06T09:00', '2020-07-06T09:00'),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('h', 'd', 'w'),
        fc.date({ min: utc('2020-01-01T00:00:00Z'), max: utc('2040-01-01T00:00:00Z'), noInvalidDate: true }),
        (timeZone, first, n, unit, at) => {
          const people = ['a', 'b', 'c'];
          const s = spec({ timeZone, rotations: [{ name: 'p', start: first, every: `${n}${unit}`, participants: people }] });
          const start = parseLocalTime(first, timeZone);
          const shifts = onCallAt(s, at);
          if (at < start) return shifts.length === 0;
          const [shift] = shifts;
          return shifts.length === 1 && shift !== undefined && shift.until !== null && shift.from <= at && at < shift.until && people.includes(shift.user);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scheduleSpecSchema', () => {
  const rotation = { name: 'primary', start: '2026-01-05T09:00', every: '1w', participants: ['alice'] };

  it('defaults timeZone to UTC and keeps unknown fields', () => {
    const s = spec({ owner: 'team-payments', rotations: [{ ...rotation, color: 'red' }], escalation: 'later' });
    expect(s.timeZone).toBe('UTC');
    expect(s.escalation).toBe('later');
    expect(s.rotations[0]?.color).toBe('red');
  });

  it('names timeZone when the zone is not IANA', () => {
    expect(errorsOf({ timeZone: 'Europe/Berln', rotations: [rotation] })).toMatch(/unknown time zone "Europe\/Berln"[\s\S]*at timeZone/);
  });

  it('names rotations[i].every when the shift length is malformed', () => {
    for (const every of ['1 week', '0d', '2m', '1.5h', 'w']) {
      expect(errorsOf({ rotations: [{ ...rotation, every }] })).toMatch(/<N>h, <N>d or <N>w[\s\S]*at rotations\[0\]\.every/);
    }
  });

  it('names rotations[i].start when the date does not parse', () => {
    expect(errorsOf({ rotations: [{ ...rotation, start: 'monday 9am' }] })).toMatch(/"monday 9am"[\s\S]*at rotations\[0\]\.start/);
  });

  it('names rotations[i].participants when the list is empty', () => {
    expect(errorsOf({ rotations: [{ ...rotation, participants: [] }] })).toMatch(/at least one participant[\s\S]*at rotations\[0\]\.participants/);
  });

  it('names rotations[i].name for a duplicate rotation name', () => {
    expect(errorsOf({ rotations: [rotation, rotation] })).toMatch(/duplicate rotation name "primary"[\s\S]*at rotations\[1\]\.name/);
  });

  it('names overrides[i].rotation when it names an unknown rotation', () => {
    const overrides = [{ user: 'dave', start: '2026-01-06T09:00', end: '2026-01-07T09:00', rotation: 'secondary' }];
    expect(errorsOf({ rotations: [rotation], overrides })).toMatch(/unknown rotation "secondary"[\s\S]*at overrides\[0\]\.rotation/);
  });

  it('names overrides[i].end when it is not after the start', () => {
    const overrides = [{ user: 'dave', start: '2026-01-07T09:00', end: '2026-01-07T09:00' }];
    expect(errorsOf({ rotations: [rotation], overrides })).toMatch(/must be after start[\s\S]*at overrides\[0\]\.end/);
  });

  it('compares override times in the schedule zone, so an absolute end before a local start is caught', () => {
    // 10:00 in Tokyo is 01:00Z, so an end of 02:00Z is after it but 00:30Z is not.
    const ok = { user: 'd', start: '2026-01-07T10:00', end: '2026-01-07T02:00Z' };
    const bad = { user: 'd', start: '2026-01-07T10:00', end: '2026-01-07T00:30Z' };
    expect(scheduleSpecSchema.safeParse({ timeZone: 'Asia/Tokyo', rotations: [rotation], overrides: [ok] }).success).toBe(true);
    expect(errorsOf({ timeZone: 'Asia/Tokyo', rotations: [rotation], overrides: [bad] })).toMatch(/at overrides\[0\]\.end/);
  });

  it('reports every problem at once, each at its own path', () => {
    const result = scheduleSpecSchema.safeParse({
      timeZone: 'Mars/Olympus',
      rotations: [{ ...rotation, every: 'weekly' }],
      overrides: [{ user: 'dave', start: '2026-01-07', end: '2026-01-06', rotation: 'nope' }],
    });
    expect(result.success ? [] : result.error.issues.map((i) => i.path.join('.'))).toEqual([
      'timeZone',
      'rotations.0.every',
      'overrides.0.end',
      'overrides.0.rotation',
    ]);
  });
});
