/**
 * Kibana's response objects and how they go on the wire, as in
 * src/core/packages/http/router-server-internal/src/response.ts (KibanaResponse, kibanaResponseFactory)
 * and .../response_adapter.ts (HapiResponseAdapter): error statuses become Boom payloads
 * `{ statusCode, error, message, attributes? }`, success statuses send the body as it is.
 */
import { STATUS_CODES } from 'node:http';
import type { IKibanaResponse, KibanaResponseFactory, ResponseError } from '../../server/kibana_shim';

export class KibanaResponse<T = unknown> implements IKibanaResponse<T> {
  constructor(
    readonly status: number,
    readonly payload?: T,
    readonly options: { body?: T; headers?: Record<string, string | string[]> } = {},
  ) {}
}

const success = (status: number) => <T>(options: { body?: T; headers?: Record<string, string | string[]> } = {}) => new KibanaResponse<T>(status, options.body, options);
const error = (status: number) => (options: { body?: ResponseError; headers?: Record<string, string | string[]> } = {}) =>
  new KibanaResponse<ResponseError>(status, options.body ?? STATUS_CODES[status] ?? 'Error', options);

export const kibanaResponseFactory: KibanaResponseFactory = {
  ok: success(200),
  accepted: success(202),
  badRequest: error(400),
  unauthorized: error(401),
  forbidden: error(403),
  notFound: error(404),
  conflict: error(409),
  unprocessableContent: error(422),
  customError(options) {
    if (!options || options.statusCode < 400 || options.statusCode >= 600) {
      throw new Error(`Unexpected Http status code. Expected from 400 to 599, but given: ${options?.statusCode}`);
    }
    return new KibanaResponse(options.statusCode, options.body ?? STATUS_CODES[options.statusCode] ?? 'Error', options);
  },
};

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function errorMessage(payload: ResponseError): string {
  if (typeof payload === 'string') return payload;
  if (payload instanceof Error) return payload.message;
  return errorMessage(payload.message);
}

/** Boom's payload for an error status (what Kibana sends). */
export function boom(status: number, message: string, attributes?: Record<string, unknown>): unknown {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Unknown', message, ...(attributes ? { attributes } : {}) };
}

export function toWire(response: unknown, extraHeaders: Record<string, string> = {}): WireResponse {
  if (!(response instanceof KibanaResponse)) {
    // HapiResponseAdapter.handle throws; Kibana answers 500.
    return { status: 500, headers: {}, body: boom(500, 'An internal server error occurred. Check Kibana server logs for details.') };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...extraHeaders };
  for (const [k, v] of Object.entries(response.options.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  if (response.status >= 400) {
    const payload = response.payload as ResponseError;
    const attributes = typeof payload === 'object' && !(payload instanceof Error) && 'attributes' in payload ? payload.attributes : undefined;
    return { status: response.status, headers, body: boom(response.status, errorMessage(payload), attributes) };
  }
  // JSON round trip: what the browser gets (drops undefined, fails on cycles like hapi would).
  return { status: response.status, headers, body: response.payload === undefined ? undefined : JSON.parse(JSON.stringify(response.payload)) };
}
