import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadActions, type ActionDefinition } from './definition.js';
import { parseRequestText } from './usage.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));
const loaded = loadActions(SHIPPED);
const action = (name: string): ActionDefinition => {
  const found = loaded.actions.find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no shipped action ${name}`);
  return found;
};
const createService = action('create-service');
const provision = action('provision');
const rollback = action('rollback');

describe('parseRequestText on the shipped actions', () => {
  it('loads the shipped actions without problems', () => {
    expect(loaded.problems).toEqual([]);
  });

  it('reads the single positional word of <name>', () => {
    expect(parseRequestText(createService, 'beans-api')).toEqual({ values: { name: 'beans-api' }, breakGlass: false, problems: [] });
  });

  it('returns nothing and no problem for empty text', () => {
    expect(parseRequestText(createService, '   ')).toEqual({ values: {}, breakGlass: false, problems: [] });
  });

  it('reads <type> for <service>, with the literal word in any case', () => {
    expect(parseRequestText(provision, 'postgres for payments-api').values).toEqual({ type: 'postgres', service: 'payments-api' });
    expect(parseRequestText(provision, 'redis FOR orders-api').values).toEqual({ type: 'redis', service: 'orders-api' });
  });

  it('keeps the case of positional values (validation judges them later)', () => {
    expect(parseRequestText(provision, 'Postgres for Payments-API').values).toEqual({ type: 'Postgres', service: 'Payments-API' });
  });

  it('tolerates extra whitespace between the words', () => {
    expect(parseRequestText(provision, '  postgres \t for   payments-api  ')).toMatchObject({
      values: { type: 'postgres', service: 'payments-api' },
      problems: [],
    });
  });

  it('reads <service> without the optional [to <version>]', () => {
    expect(parseRequestText(rollback, 'payments-api')).toEqual({ values: { service: 'payments-api' }, breakGlass: false, problems: [] });
  });

  it('reads <service> with the optional to <version>', () => {
    expect(parseRequestText(rollback, 'payments-api to 1.4.2').values).toEqual({ service: 'payments-api', version: '1.4.2' });
  });

  it('reads name=value pairs beside the positional words, in any order', () => {
    const parsed = parseRequestText(provision, 'tier=production postgres for payments-api size=large');
    expect(parsed).toEqual({ values: { type: 'postgres', service: 'payments-api', tier: 'production', size: 'large' }, breakGlass: false, problems: [] });
  });

  it('takes every input as name=value with no positional words at all', () => {
    expect(parseRequestText(provision, 'type=redis service=orders-api tier=staging')).toEqual({
      values: { type: 'redis', service: 'orders-api', tier: 'staging' },
      breakGlass: false,
      problems: [],
    });
  });

  it('keeps the spaces of double- and single-quoted values', () => {
    expect(parseRequestText(rollback, 'payments-api reason="bad deploy, see INC-42"').values).toEqual({
      service: 'payments-api',
      reason: 'bad deploy, see INC-42',
    });
    expect(parseRequestText(rollback, "payments-api reason='card auth errors'").values).toEqual({ service: 'payments-api', reason: 'card auth errors' });
  });

  it('reads an empty value as an empty string', () => {
    expect(parseRequestText(rollback, 'payments-api reason=').values).toEqual({ service: 'payments-api', reason: '' });
    expect(parseRequestText(rollback, 'payments-api reason=""').values).toEqual({ service: 'payments-api', reason: '' });
  });

  it('prefers a name=value pair over the positional word for the same input', () => {
    expect(parseRequestText(rollback, 'payments-api to 1.4.2 version=1.3.0').values).toEqual({ service: 'payments-api', version: '1.3.0' });
  });

  it('reads --break-glass anywhere and leaves it out of the values', () => {
    for (const text of ['payments-api --break-glass', '--break-glass payments-api to 1.4.2', 'payments-api --break-glass to 1.4.2']) {
      const parsed = parseRequestText(rollback, text);
      expect(parsed.breakGlass, text).toBe(true);
      expect(parsed.problems, text).toEqual([]);
      expect(parsed.values.service, text).toBe('payments-api');
    }
  });

  it('does not take a word that merely starts with --break-glass as the flag', () => {
    const parsed = parseRequestText(rollback, 'payments-api --break-glassy');
    expect(parsed.breakGlass).toBe(false);
    expect(parsed.problems).toHaveLength(1);
  });

  it('names an unknown key and the inputs there are, and keeps the values it could read', () => {
    const parsed = parseRequestText(rollback, 'payments-api colour=blue');
    expect(parsed.values).toEqual({ service: 'payments-api' });
    expect(parsed.problems).toEqual(['colour= is not an input of /rollback (inputs: service, version, reason)']);
  });

  it('treats input names as case-sensitive', () => {
    expect(parseRequestText(rollback, 'payments-api Version=1.0.0').problems).toEqual([
      'Version= is not an input of /rollback (inputs: service, version, reason)',
    ]);
  });

  it('quotes text that does not fit the usage, and gives the usage', () => {
    const parsed = parseRequestText(provision, 'postgres payments-api');
    expect(parsed.problems).toEqual(['I could not read "postgres payments-api": the usage is /provision <type> for <service>']);
    expect(parsed.values).toEqual({});
  });

  it('refuses extra words after the usage', () => {
    expect(parseRequestText(createService, 'beans api').problems).toEqual(['I could not read "beans api": the usage is /create-service <name>']);
    expect(parseRequestText(rollback, 'payments-api to 1.4.2 now').problems).toHaveLength(1);
  });

  it('refuses an optional part that is only half there', () => {
    expect(parseRequestText(rollback, 'payments-api to').problems).toEqual([
      'I could not read "payments-api to": the usage is /rollback <service> [to <version>]',
    ]);
  });

  it('keeps name=value values when the positional words do not fit', () => {
    const parsed = parseRequestText(provision, 'tier=staging postgres');
    expect(parsed.values).toEqual({ tier: 'staging' });
    expect(parsed.problems).toHaveLength(1);
  });

  it('asks for name=value when the action has no usage line', () => {
    const noUsage: ActionDefinition = { ...rollback, spec: { ...rollback.spec, usage: undefined } };
    expect(parseRequestText(noUsage, 'service=payments-api').problems).toEqual([]);
    expect(parseRequestText(noUsage, 'payments-api').problems).toEqual(['/rollback takes its inputs as name=value']);
  });

  it('takes the text of a quoted value literally, even when it mentions --break-glass', () => {
    const parsed = parseRequestText(rollback, 'payments-api reason="no --break-glass needed"');
    expect(parsed.values.reason).toBe('no --break-glass needed');
    expect(parsed.breakGlass).toBe(false);
  });
});
