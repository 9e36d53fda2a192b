/** Domain errors carry a stable code; the HTTP status is the edge's concern, decided here once. */
export interface DomainErrorLike {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Domain codes are snake_case words; system errors (ECONNREFUSED, SQLSTATE 23505) never are. */
export function isDomainError(error: unknown): error is DomainErrorLike {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code);
}

const CONFLICT = /(already|duplicate|_conflict$|^not_cross_province$|^same_region$|^wrong_step$|_outstanding$)/;
const NOT_FOUND = /(_not_found$|^not_registered$)/;

export function domainErrorStatus(code: string): number {
  if (NOT_FOUND.test(code)) return 404;
  if (CONFLICT.test(code)) return 409;
  return 422;
}
