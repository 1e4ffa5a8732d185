/**
 * Links into Kibana that the page, the CLI and the run report share: Anomaly Explorer for job ids
 * and a time range, the Security alerts page filtered to rule ids, a rule's own page. Pure and
 * isomorphic (no DOM, no Node).
 *
 * The URL states are what the target apps read:
 * - Anomaly Explorer (ML's `formatExplorerUrl`, x-pack/platform/plugins/shared/ml/common/util/locator…):
 *   `/app/ml/explorer?_g=(ml:(jobIds:!(a,b)),time:(from:'…',mode:absolute,to:'…'))&_a=(explorer:(mlExplorerFilter:(),mlExplorerSwimlane:()))`,
 *   rison-encoded with Kibana's `setStateToKbnUrl` (keys sorted, `encodeUriQuery`).
 * - Security alerts (security_solution/public/common/hooks/use_url_state.ts `URL_PARAM_KEY`):
 *   `query` is a rison `Query` `(language:kuery,query:'…')` read by `useInitSearchBarFromUrlParams`;
 *   `timerange` is `(global:(linkTo:!(timeline),timerange:(from:'…',kind:absolute,to:'…')),timeline:(…))`
 *   read by `useInitTimerangeFromUrlParam`.
 * - A rule: `/app/security/rules/id/<rule saved-object id>`.
 * In a space every path is prefixed with `/s/<space>` (no prefix for the default space).
 */

export const ML_APP_ID = 'ml';
export const SECURITY_APP_ID = 'securitySolutionUI';
/** The URL segment under /app/ of each app id (Security registers `securitySolutionUI` at /app/security). */
export const APP_ROUTES: Record<string, string> = { [ML_APP_ID]: 'ml', [SECURITY_APP_ID]: 'security' };
export const ML_APP_LOCATOR = 'ML_APP_LOCATOR';
export const RULE_ID_FIELD = 'kibana.alert.rule.rule_id';

export interface TimeRange {
  /** ISO 8601 */
  from: string;
  /** ISO 8601 */
  to: string;
}

export interface LinkContext {
  /** Kibana space id; '' / 'default' / undefined: no prefix. */
  space?: string;
  /** Origin plus server base path for absolute links (e.g. 'https://kb:5601' or 'https://host/kbn'); '' (default): relative. */
  kibanaUrl?: string;
}

// ---------------------------------------------------------------------------------------------
// rison (the subset Kibana URL state needs: objects, arrays, strings, numbers, booleans, null)

export type RisonValue = string | number | boolean | null | undefined | RisonValue[] | { [key: string]: RisonValue };

const NOT_ID_CHAR = " '!:(),*@$";
const ID_OK = new RegExp(`^[^-0-9${escapeForClass(NOT_ID_CHAR)}][^${escapeForClass(NOT_ID_CHAR)}]*$`);

function escapeForClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

/** Encodes like rison-node / @kbn/rison `encode`: object keys sorted, undefined members dropped. */
export function risonEncode(value: RisonValue): string {
  if (value === null) return '!n';
  if (value === undefined) throw new Error('rison: undefined cannot be encoded');
  if (typeof value === 'boolean') return value ? '!t' : '!f';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '!n';
    return String(value).replace(/\+/, '');
  }
  if (typeof value === 'string') {
    if (value === '') return "''";
    if (ID_OK.test(value)) return value;
    return `'${value.replace(/[!']/g, (c) => `!${c}`)}'`;
  }
  if (Array.isArray(value)) return `!(${value.filter((v) => v !== undefined).map(risonEncode).join(',')})`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `(${keys.map((k) => `${risonEncode(k)}:${risonEncode(value[k])}`).join(',')})`;
}

/**
 * Kibana's `encodeUriQuery` (kibana_utils/common/url/encode_uri_query.ts) with spaces as %20: leaves
 * `@ : $ , ;` and rison's `! ' ( ) *` readable.
 */
export function encodeUriQuery(value: string): string {
  return encodeURIComponent(value)
    .replace(/%40/gi, '@')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/%3B/gi, ';');
}

function query(params: [string, RisonValue][]): string {
  return params.map(([k, v]) => `${k}=${encodeUriQuery(risonEncode(v))}`).join('&');
}

// ---------------------------------------------------------------------------------------------
// Space-aware app URLs

export function spacePrefix(space?: string): string {
  return space && space !== 'default' ? `/s/${encodeURIComponent(space)}` : '';
}

/** `<kibanaUrl><space prefix>/app/<route><path>`; `path` starts with '/' or '?' (or is empty). */
export function kibanaAppUrl(appId: string, path: string, ctx: LinkContext = {}): string {
  const base = (ctx.kibanaUrl ?? '').replace(/\/+$/, '');
  return `${base}${spacePrefix(ctx.space)}/app/${APP_ROUTES[appId] ?? appId}${path}`;
}

// ---------------------------------------------------------------------------------------------
// Anomaly Explorer

export interface ExplorerLinkParams {
  jobIds: string[];
  timeRange: TimeRange;
}

/** The ML locator's params for these jobs: `share.url.locators.get(ML_APP_LOCATOR).getUrl(params)`. */
export function explorerLocatorParams({ jobIds, timeRange }: ExplorerLinkParams) {
  return { page: 'explorer' as const, pageState: { jobIds: [...jobIds], timeRange: { from: timeRange.from, to: timeRange.to, mode: 'absolute' as const } } };
}

/** Path inside the ML app: `/explorer?_g=…&_a=…`. */
export function anomalyExplorerPath({ jobIds, timeRange }: ExplorerLinkParams): string {
  if (jobIds.length === 0) throw new Error('anomalyExplorerPath: at least one job id');
  return `/explorer?${query([
    ['_g', { ml: { jobIds }, time: { from: timeRange.from, mode: 'absolute', to: timeRange.to } }],
    ['_a', { explorer: { mlExplorerFilter: {}, mlExplorerSwimlane: {} } }],
  ])}`;
}

export function anomalyExplorerUrl(params: ExplorerLinkParams, ctx: LinkContext = {}): string {
  return kibanaAppUrl(ML_APP_ID, anomalyExplorerPath(params), ctx);
}

// ---------------------------------------------------------------------------------------------
// Security alerts and rules

/** KQL string literal: double quotes, `\` and `"` escaped. */
function kqlQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `kibana.alert.rule.rule_id: ("a" or "b")` */
export function ruleIdsKql(ruleIds: string[]): string {
  if (ruleIds.length === 0) throw new Error('ruleIdsKql: at least one rule id');
  return `${RULE_ID_FIELD}: (${ruleIds.map(kqlQuote).join(' or ')})`;
}

export interface AlertsLinkParams {
  ruleIds: string[];
  /** Absolute time range of the alerts' @timestamp (when the rules ran); omitted: the page's default. */
  timeRange?: TimeRange;
}

/** Path inside the Security app: `/alerts?query=(language:kuery,query:'…')&timerange=(…)`. */
export function alertsPath({ ruleIds, timeRange }: AlertsLinkParams): string {
  const params: [string, RisonValue][] = [['query', { language: 'kuery', query: ruleIdsKql(ruleIds) }]];
  if (timeRange) {
    const range = { from: timeRange.from, kind: 'absolute', to: timeRange.to };
    params.push(['timerange', { global: { linkTo: ['timeline'], timerange: range }, timeline: { linkTo: ['global'], timerange: range } }]);
  }
  return `/alerts?${query(params)}`;
}

export function alertsUrl(params: AlertsLinkParams, ctx: LinkContext = {}): string {
  return kibanaAppUrl(SECURITY_APP_ID, alertsPath(params), ctx);
}

/** Path inside the Security app of a rule's details page (by its saved-object id, not rule_id). */
export function rulePath(ruleObjectId: string): string {
  return `/rules/id/${encodeURIComponent(ruleObjectId)}`;
}

export function ruleUrl(ruleObjectId: string, ctx: LinkContext = {}): string {
  return kibanaAppUrl(SECURITY_APP_ID, rulePath(ruleObjectId), ctx);
}

/** The space of a Kibana base path such as '/kbn/s/demo' ('default' without `/s/<id>`). */
export function spaceFromBasePath(basePath: string): string {
  const m = /\/s\/([^/]+)\/?$/.exec(basePath);
  return m ? decodeURIComponent(m[1]) : 'default';
}

/**
 * Time range for the alerts of a run: the rules create their alerts when they run (from the
 * moment they are installed), not at the data's timestamps. One hour before the run started to a
 * day after it.
 */
export function alertsTimeRange(startedAt: string): TimeRange {
  const t = Date.parse(startedAt);
  return { from: new Date(t - 3600_000).toISOString(), to: new Date(t + 24 * 3600_000).toISOString() };
}
