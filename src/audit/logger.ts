/**
 * The process's pino logger, with every line redacted: the merged object (errors included, under any
 * key) through redact(), and the message text through redactText(). pino's own `redact` option only
 * knows fixed paths, and a secret echoed inside an error message has no path.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redact, redactText } from './redact.js';

export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const redacting: LoggerOptions = {
    ...options,
    formatters: { ...options.formatters, log: (obj) => redact(options.formatters?.log ? options.formatters.log(obj) : obj) as Record<string, unknown> },
    hooks: {
      ...options.hooks,
      logMethod(args, method) {
        // Format arguments (`%s`) are redacted too: they end up in the message.
        method.apply(
          this,
          args.map((a: unknown) => (typeof a === 'string' ? redactText(a) : a instanceof Error ? redactedError(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  return destination ? pino(redacting, destination) : pino(redacting);
}

/** `logger.error(err)` takes its message from the error before any formatter runs: a redacted copy goes instead. */
function redactedError(err: Error): Error {
  const copy = new Error(redactText(err.message));
  copy.name = err.name;
  copy.stack = err.stack === undefined ? undefined : redactText(err.stack);
  return copy;
}
