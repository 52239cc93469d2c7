/**
 * Keeping the questions people ask, for the health report's gaps and the weekly digest. An answer never
 * waits on it or fails because of it: a write that fails is logged and the answer goes out as it was.
 */
import type { Logger } from 'pino';
import type { CatalogTruth, Question } from '../state/truth.js';

export function questionRecorder(truth: Pick<CatalogTruth, 'recordQuestion'>, logger: Pick<Logger, 'warn'>): (q: Question) => void {
  return (q) => {
    void Promise.resolve()
      .then(() => truth.recordQuestion(q))
      .catch((err: unknown) => logger.warn({ err, query: q.query, platform: q.platform }, 'question not recorded'));
  };
}
