/**
 * Everything an activity hands to Temporal is kept in the workflow history, which the Temporal UI
 * shows to anyone with namespace access: results and failures (message and stack) alike. So every
 * activity's arguments (what it posts to chat), result (step outputs) and failure pass through the
 * redaction module on the way out.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { redact, redactText } from '../audit/redact.js';

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

export function redacting<T extends Activities>(activities: T): T {
  const wrapped = Object.entries(activities).map(([name, fn]) => [
    name,
    async (...args: unknown[]) => {
      let result: unknown;
      try {
        result = await (fn as (...a: unknown[]) => Promise<unknown>)(...args.map(redact));
      } catch (err) {
        throw redactedFailure(err);
      }
      return redact(result);
    },
  ]);
  return Object.fromEntries(wrapped) as T;
}

/**
 * The same failure (type, retryability, retry delay) with its message, stack and details redacted,
 * and without its cause chain: a cause from a library (execFile's error names the whole command
 * line) is exactly where a credential hides.
 */
export function redactedFailure(err: unknown): unknown {
  // Cancellation is Temporal's own signal, not a message of ours: it must stay what it is.
  if (err instanceof CancelledFailure || !(err instanceof Error)) return err;
  const app = err instanceof ApplicationFailure ? err : undefined;
  const failure = ApplicationFailure.create({
    message: redactText(err.message),
    type: app ? (app.type ?? undefined) : err.name,
    nonRetryable: app?.nonRetryable ?? false,
    ...(app?.details && { details: redact(app.details) as unknown[] }),
    ...(app?.nextRetryDelay && { nextRetryDelay: app.nextRetryDelay }),
  });
  failure.stack = err.stack === undefined ? undefined : redactText(err.stack);
  return failure;
}
