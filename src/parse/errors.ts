/** Why a file could not be converted. Stable: the JSON report and the tests use these. */
export type ErrorCode =
  | 'binary'
  | 'not-utf8'
  | 'lone-cr'
  | 'empty-file'
  | 'invalid-yaml'
  | 'multiple-documents'
  | 'top-level-not-mapping'
  | 'no-services'
  | 'compose-v1'
  | 'services-null'
  | 'services-not-mapping'
  | 'service-not-mapping'
  | 'unknown-service'
  | 'strict-warnings'
  | 'no-placement'
  | 'bad-project'
  | 'io'
  | 'changed-on-disk'
  | 'internal';

/**
 * A refusal to convert one input, with the 1-based position in that input where there is
 * one. The CLI prints it as one line `file:line:col: message` and exits 2.
 */
export class ConvertError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly line: number | null = null,
    readonly column: number | null = null,
  ) {
    super(message);
    this.name = 'ConvertError';
  }
}

/**
 * The converter's own output failed its checks: a bug in ro-convert, reported as such.
 * Nothing is written when this is thrown.
 */
export function internalError(detail: string): ConvertError {
  return new ConvertError('internal', `bug in ro-convert: ${detail}; nothing was written (please report it with this file)`);
}

/** A refusal as it is, anything else (an exception from a bug) as an `internal` error. */
export function asConvertError(error: unknown): ConvertError {
  return error instanceof ConvertError ? error : internalError(error instanceof Error ? error.message : String(error));
}
