/** Why a call failed. `field` is a dotted path into params (or "(params)" for the whole object). */
export type ApiErrorCode =
  'unknown_method' | 'invalid_params' | 'no_workspace' | 'not_found' | 'conflict' | 'failed' | 'internal' | 'unreachable';

export interface ApiError {
  code: ApiErrorCode;
  method: string;
  field?: string;
  reason: string;
}

export type ApiResponse<R> = { ok: true; result: R } | { ok: false; error: ApiError };

/** Thrown by services for expected failures; the router turns it into a structured `ApiError`. */
export class ApiFailure extends Error {
  constructor(
    readonly code: Exclude<ApiErrorCode, 'unknown_method' | 'invalid_params' | 'internal'>,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export function formatApiError(error: ApiError): string {
  const where = error.field ? ` (${error.field})` : '';
  return `${error.method}: ${error.reason}${where}`;
}
