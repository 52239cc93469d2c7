/** Errors with a code a caller can branch on and a message a person can act on. */
export type CatalogErrorCode =
  'bad_ref' | 'invalid_entity' | 'yaml_syntax' | 'read_failed' | 'fetch_failed' | 'conflict' | 'not_found' | 'bad_location' | 'codeowners' | 'ingest_failed';

export class CatalogError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CatalogError';
  }
}
