/** Fault injection: the control API tests use to make the stand-in misbehave like a real stack. */

export interface RouteInfo {
  server: 'es' | 'kibana';
  method: string;
  /** Path without query string (Kibana: including any /s/<space> prefix). */
  path: string;
}

/**
 * `'POST /_bulk'`, `'es:PUT /_ml/anomaly_detectors/*'`, `'/api/detection_engine/rules'` (any
 * method), a RegExp tested against `'<METHOD> <path>'`, or a predicate. `*` matches anything.
 */
export type RouteMatcher = string | RegExp | ((r: RouteInfo) => boolean);

export function routeMatches(m: RouteMatcher, r: RouteInfo): boolean {
  if (typeof m === 'function') return m(r);
  const line = `${r.method} ${r.path}`;
  if (m instanceof RegExp) return m.test(line);
  let spec = m.trim();
  const server = /^(es|kibana):/.exec(spec)?.[1];
  if (server) {
    if (server !== r.server) return false;
    spec = spec.slice(server.length + 1);
  }
  const [a, b] = spec.split(/\s+/);
  const method = b === undefined ? undefined : a.toUpperCase();
  const pathSpec = b ?? a;
  if (method && method !== r.method) return false;
  const rx = new RegExp(`^${pathSpec.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return rx.test(r.path) || rx.test(r.path.replace(/^\/s\/[^/]+/, ''));
}

export interface StatusFault {
  matcher: RouteMatcher;
  status: number;
  remaining: number;
  /** Replaces the default error body. */
  body?: unknown;
  /** For 403 from Elasticsearch: the action and privileges named in the security_exception. */
  action?: string;
  privileges?: string[];
}

export interface ItemErrorFault {
  remaining: number;
  status: number;
  type?: string;
  reason?: string;
}

export interface DelayFault {
  matcher?: RouteMatcher;
  ms: number;
  remaining: number;
}

export interface OpenFailure {
  status: number;
  reason: string;
}

export class Faults {
  statusFaults: StatusFault[] = [];
  bulkRejections = 0;
  itemFaults: ItemErrorFault[] = [];
  delays: DelayFault[] = [];
  openFailures = new Map<string, OpenFailure>();
  /** How long a started datafeed takes to reach its `end` (0 = done when _start returns). */
  datafeedRunMs = 0;

  /** The next `n` bulk requests are rejected whole with 429 es_rejected_execution_exception. */
  bulk429(n = 1): this {
    this.bulkRejections += n;
    return this;
  }

  /**
   * The next `n` bulk ITEMS (across requests, in order) fail inside an otherwise 200 response.
   * 429 gives es_rejected_execution_exception (the bulk helper retries those), other codes
   * give the type you pass (default: 500 'exception', 400 'document_parsing_exception').
   */
  itemErrors(n: number, status = 429, opts: { type?: string; reason?: string } = {}): this {
    this.itemFaults.push({ remaining: n, status, ...opts });
    return this;
  }

  /** Answer `status` to the next `times` requests matching `matcher` (Infinity for always). */
  status(matcher: RouteMatcher, status: number, times = 1, opts: { body?: unknown; action?: string; privileges?: string[] } = {}): this {
    this.statusFaults.push({ matcher, status, remaining: times, ...opts });
    return this;
  }

  /** `_open` on this job fails (default like an ML tier without capacity: 429 status_exception). */
  jobFailsToOpen(jobId: string, failure: Partial<OpenFailure> = {}): this {
    this.openFailures.set(jobId, {
      status: failure.status ?? 429,
      reason: failure.reason ?? `Could not open job because no ML nodes with sufficient capacity were found`,
    });
    return this;
  }

  /** Delay responses by `ms` (every request, or those matching `matcher`), `times` times. */
  delay(ms: number, matcher?: RouteMatcher, times = Infinity): this {
    this.delays.push({ ms, matcher, remaining: times });
    return this;
  }

  /** Datafeeds take `ms` to go from `start` to `end` (progress is linear meanwhile). */
  datafeedDuration(ms: number): this {
    this.datafeedRunMs = ms;
    return this;
  }

  clear(): this {
    this.statusFaults = [];
    this.bulkRejections = 0;
    this.itemFaults = [];
    this.delays = [];
    this.openFailures.clear();
    this.datafeedRunMs = 0;
    return this;
  }

  /** @internal */
  takeStatus(r: RouteInfo): StatusFault | undefined {
    const f = this.statusFaults.find((s) => s.remaining > 0 && routeMatches(s.matcher, r));
    if (f) f.remaining -= 1;
    return f;
  }

  /** @internal */
  takeDelay(r: RouteInfo): number {
    let total = 0;
    for (const d of this.delays) {
      if (d.remaining > 0 && (!d.matcher || routeMatches(d.matcher, r))) {
        d.remaining -= 1;
        total += d.ms;
      }
    }
    return total;
  }

  /** @internal */
  takeBulkRejection(): boolean {
    if (this.bulkRejections <= 0) return false;
    this.bulkRejections -= 1;
    return true;
  }

  /** @internal */
  takeItemFault(): ItemErrorFault | undefined {
    const f = this.itemFaults.find((x) => x.remaining > 0);
    if (f) f.remaining -= 1;
    return f;
  }
}
