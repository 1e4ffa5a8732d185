/**
 * Errors the installer reports: a status code the routes pass back (403 for missing privileges,
 * 4xx for missing ML or licence) and a message a person can act on.
 */
export class InstallError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    /** e.g. 'missing_privilege', 'ml_unavailable', 'license', 'conflict', 'connection', 'cancelled' */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'InstallError';
  }
}

interface EsLikeError {
  statusCode?: number;
  meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } };
  body?: { error?: { type?: string; reason?: string } };
  message?: string;
  code?: string;
  name?: string;
}

/** Turns an Elasticsearch/Kibana client error into an InstallError with an actionable message. */
export function toInstallError(error: unknown, action: string): InstallError {
  if (error instanceof InstallError) return error;
  const e = (error ?? {}) as EsLikeError;
  const status = e.statusCode ?? e.meta?.statusCode;
  const cause = e.meta?.body?.error ?? e.body?.error;
  const reason = cause?.reason ?? e.message ?? String(error);
  if (e.name === 'ConnectionError' || e.code === 'ECONNREFUSED' || /ECONNREFUSED|connect/i.test(e.message ?? '') && status === undefined) {
    return new InstallError(`${action}: cannot connect (${reason}). Check the URL and that the stack is running.`, 502, 'connection');
  }
  if (status === 401) return new InstallError(`${action}: authentication failed (401). Check the API key or user and password.`, 401, 'unauthenticated');
  if (status === 403) {
    const granted = /granted by the (cluster|index) privileges \[([^\]]+)\]/.exec(reason);
    const hint = granted ? ` Missing privilege: one of [${granted[2]}] (${granted[1]}).` : '';
    return new InstallError(`${action}: not allowed (403). ${reason}.${hint}`, 403, 'missing_privilege');
  }
  if (status === 409) return new InstallError(`${action}: already exists (409). ${reason}`, 409, 'conflict');
  if (status && status >= 400 && status < 500) return new InstallError(`${action}: rejected (${status}). ${reason}`, status, cause?.type ?? 'bad_request');
  return new InstallError(`${action}: failed${status ? ` (${status})` : ''}. ${reason}`, status && status >= 500 ? 502 : 500, 'upstream');
}

/** HTTP status of an Elasticsearch client error (undefined for connection errors). */
export function statusOf(error: unknown): number | undefined {
  return (error as EsLikeError | undefined)?.meta?.statusCode;
}
