/**
 * Elastic's prebuilt rules through Security's prebuilt-rules API, shared by the CLI
 * (kibana_http.ts) and the plugin (server/kibana_self_http.ts, Kibana's own HTTP API): the
 * Security Solution exposes no server contract for it — `SecuritySolutionPluginStart` is empty in
 * x-pack/solutions/security/plugins/security_solution/server/plugin_contract.ts.
 *
 * - `GET /internal/detection_engine/prebuilt_rules/status` (version 1): whether the prebuilt-rules
 *   package is there (`stats.num_prebuilt_rules_total_in_package`). Without it nothing is
 *   installed: `_perform` would first install the package from Fleet
 *   (ensureLatestRulesPackageInstalled), which the demo has no business doing.
 * - `POST /internal/detection_engine/prebuilt_rules/installation/_perform` (version 1) with
 *   `{ mode: 'SPECIFIC_RULES', rules: [{ rule_id, version }] }`, as
 *   .../prebuilt_rules/api/perform_rule_installation/perform_rule_installation_handler.ts handles it:
 *   `results.created` are the installed rules (`{ id, rule_id, version }`; whole rules in older
 *   versions), installed disabled; a rule_id the package lacks is in `errors` ("… not found").
 * Rules it does not install are created by the installer as custom rules with ids of our own
 * (rules.ts, common/requests.ts customRuleId).
 */
import type { PrebuiltInstallResult, PrebuiltRuleRef, RuleSummary } from './types';

export const PREBUILT_RULES_STATUS_PATH = '/internal/detection_engine/prebuilt_rules/status';
export const PREBUILT_RULES_INSTALL_PATH = '/internal/detection_engine/prebuilt_rules/installation/_perform';

/** An internal (version 1) Kibana route call that throws an Error with `statusCode` on a non-2xx answer. */
export type InternalKibanaCall = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => Promise<T>;

interface StatusResponse {
  stats?: { num_prebuilt_rules_total_in_package?: number };
}
interface PerformResponse {
  results?: { created?: Record<string, unknown>[]; skipped?: { rule_id: string; reason?: string }[] };
  errors?: { message?: string; rules?: { rule_id?: string }[] }[];
}

export function prebuiltRulesInstaller(call: InternalKibanaCall): (wanted: PrebuiltRuleRef[]) => Promise<PrebuiltInstallResult> {
  return async (wanted) => {
    if (!wanted.length) return { installed: [] };
    const byId = new Map(wanted.map((r) => [r.rule_id, r]));
    const status = await call<StatusResponse>('GET', PREBUILT_RULES_STATUS_PATH);
    if (!status?.stats?.num_prebuilt_rules_total_in_package) {
      return {
        installed: [],
        notice:
          "Elastic's prebuilt-rules package is not installed in this Kibana: the ML rules are created as custom rules with ids of the tool's own (ml-demo-data-<rule_id>).",
      };
    }
    const rules = wanted.map((r) => ({ rule_id: r.rule_id, version: r.version ?? 1 }));
    const res = await call<PerformResponse>('POST', PREBUILT_RULES_INSTALL_PATH, { mode: 'SPECIFIC_RULES', rules });
    const installed = (res?.results?.created ?? []).map((r): RuleSummary => ({
      id: String(r.id),
      rule_id: String(r.rule_id),
      name: typeof r.name === 'string' ? r.name : (byId.get(String(r.rule_id))?.name ?? String(r.rule_id)),
      // The installation API installs prebuilt rules disabled (and answers only id/rule_id/version).
      enabled: r.enabled === true,
      tags: Array.isArray(r.tags) ? (r.tags as string[]) : [],
      immutable: true,
    }));
    const missing = (res?.errors ?? []).flatMap((e) => (e.rules ?? []).map((r) => r.rule_id).filter(Boolean));
    return {
      installed,
      notice: missing.length
        ? `The prebuilt-rules package of this Kibana lacks ${missing.length} of the rules (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}): they are created as custom rules with ids of the tool's own.`
        : undefined,
    };
  };
}
