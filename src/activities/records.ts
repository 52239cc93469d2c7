/** The request's bookkeeping: its audit rows, and its inputs checked again against today's catalog. */
import { catalogLookups, validateInputs } from '../actions/inputs.js';
import type { AuditEntryInput } from '../audit/index.js';
import type { InputValue, SelfServiceActivities } from '../../workflows/contract.js';
import type { SelfServiceDeps } from './deps.js';

export function recordActivities(deps: Pick<SelfServiceDeps, 'audit' | 'actions' | 'catalog'>): Pick<SelfServiceActivities, 'appendAudit' | 'checkInputs'> {
  return {
    async appendAudit(entry: AuditEntryInput): Promise<number> {
      return (await deps.audit.append(entry)).seq;
    },

    /** Problems with the inputs against today's catalog; empty when they still hold. */
    async checkInputs(action: string, values: Record<string, InputValue>): Promise<string[]> {
      const definition = deps.actions.find((a) => a.metadata.name === action);
      if (!definition) return [`this worker has no action ${action}`];
      const checked = validateInputs(definition, values, catalogLookups(deps.catalog));
      return checked.ok ? [] : checked.errors.map((e) => `${e.input} ${e.message}`);
    },
  };
}
