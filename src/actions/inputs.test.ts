import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { loadActions, type ActionDefinition } from './definition.js';
import { catalogLookups, inputSchema, validateInputs, type Lookups } from './inputs.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));

let tree: TempTree;
let catalog: Catalog;
let lookups: Lookups;
const actions = new Map(loadActions(SHIPPED).actions.map((a) => [a.metadata.name, a]));
const action = (name: string) => actions.get(name) as ActionDefinition;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('c.db'));
  await catalog.ingest([SAMPLE_CATALOG]);
  lookups = catalogLookups(catalog);
});

afterAll(() => {
  catalog.close();
  tree.cleanup();
});

const newService = { name: 'loyalty-points', owner: 'team-payments', system: 'payments' };

describe('validateInputs for create-service', () => {
  it('accepts a new name and turns pickers into catalog references, filling defaults', () => {
    expect(validateInputs(action('create-service'), newService, lookups)).toEqual({
      ok: true,
      values: {
        name: 'loyalty-points',
        owner: 'group:default/team-payments',
        system: 'system:default/payments',
        tier: 'tier-3',
        template: 'node-service',
        createChannel: false,
      },
    });
  });

  it('refuses a name already in the catalog', () => {
    expect(validateInputs(action('create-service'), { ...newService, name: 'payments-api' }, lookups)).toEqual({
      ok: false,
      errors: [{ input: 'name', message: 'payments-api is already in the catalog' }],
    });
  });

  it('refuses a name breaking the naming rules, saying what the rules are', () => {
    const result = validateInputs(action('create-service'), { ...newService, name: 'Loyalty_Points' }, lookups);
    expect(result).toEqual({
      ok: false,
      errors: [
        { input: 'name', message: 'Loyalty_Points is not valid: use lower-case letters and digits in words joined by single hyphens, starting with a letter' },
      ],
    });
  });

  it('refuses a name that is too short', () => {
    const result = validateInputs(action('create-service'), { ...newService, name: 'ab' }, lookups);
    expect(result).toEqual({ ok: false, errors: [{ input: 'name', message: 'must be between 3 and 40 characters long (2 given)' }] });
  });

  it('refuses a team that is not in the catalog, without guessing a near one', () => {
    const result = validateInputs(action('create-service'), { ...newService, owner: 'team-paymnts' }, lookups);
    expect(result).toEqual({ ok: false, errors: [{ input: 'owner', message: 'there is no team named team-paymnts in the catalog' }] });
  });

  it('refuses an entity of another kind in a picker', () => {
    const result = validateInputs(action('create-service'), { ...newService, system: 'payments-api' }, lookups);
    expect(result).toEqual({ ok: false, errors: [{ input: 'system', message: 'there is no system named payments-api in the catalog' }] });
  });

  it('reports every missing required input at once', () => {
    const result = validateInputs(action('create-service'), {}, lookups);
    expect(result.ok ? [] : result.errors).toEqual([
      { input: 'name', message: 'is required' },
      { input: 'owner', message: 'is required' },
      { input: 'system', message: 'is required' },
    ]);
  });

  it('refuses an input the action does not have', () => {
    const result = validateInputs(action('create-service'), { ...newService, colour: 'blue' }, lookups);
    expect(result).toEqual({ ok: false, errors: [{ input: 'colour', message: 'is not an input of create-service' }] });
  });

  it('reads a checkbox sent as text', () => {
    const result = validateInputs(action('create-service'), { ...newService, createChannel: 'true' }, lookups);
    expect(result.ok && result.values.createChannel).toBe(true);
  });

  it('accepts its own output again, as the workflow re-validates it', () => {
    const first = validateInputs(action('create-service'), newService, lookups);
    expect(first.ok && validateInputs(action('create-service'), first.values, lookups)).toEqual(first);
  });
});

describe('validateInputs for provision and rollback', () => {
  it('refuses an enum value with the values it accepts', () => {
    const result = validateInputs(action('provision'), { type: 'mysql', service: 'payments-api', tier: 'production' }, lookups);
    expect(result).toEqual({ ok: false, errors: [{ input: 'type', message: 'mysql is not one of: postgres, redis, bucket' }] });
  });

  it('accepts a service picked by its full reference', () => {
    const result = validateInputs(action('provision'), { type: 'redis', service: 'component:default/payments-api', tier: 'staging' }, lookups);
    expect(result.ok && result.values.service).toBe('component:default/payments-api');
  });

  it('leaves an optional version out when it is blank', () => {
    expect(validateInputs(action('rollback'), { service: 'orders', version: ' ' }, lookups)).toEqual({
      ok: true,
      values: { service: 'component:default/orders' },
    });
  });

  it('refuses a version a shell would read', () => {
    const result = validateInputs(action('rollback'), { service: 'orders', version: 'v1; rm -rf /' }, lookups);
    expect(result.ok ? [] : result.errors.map((e) => e.input)).toEqual(['version']);
  });
});

describe('inputSchema', () => {
  it('is a zod schema the workflow can parse with', () => {
    const schema = inputSchema(action('rollback'), lookups);
    expect(schema.parse({ service: 'orders', version: 'v2.3.1' })).toEqual({ service: 'component:default/orders', version: 'v2.3.1' });
  });

  it('checks numbers against min and max', () => {
    const sized: ActionDefinition = {
      ...action('rollback'),
      spec: { ...action('rollback').spec, inputs: [{ name: 'replicas', title: 'Replicas', type: 'number', required: true, min: 1, max: 5 }] },
    };
    expect(validateInputs(sized, { replicas: '7' }, lookups)).toEqual({ ok: false, errors: [{ input: 'replicas', message: 'must be at most 5' }] });
  });
});
