/** GET ROUTES.modules: the catalogue's modules and jobs for this stack, and which jobs exist. */
import { NamespaceQuery, type ModulesResponse } from '../../common/api';
import { catalogue, moduleJobs, rulesForJob } from '../../common/catalogue';
import { API_VERSION, ROUTES } from '../../common/constants';
import { PROFILES } from '../generators/profiles';
import { installedJobIds } from '../installers/status';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, READ_AUTHZ, errorResponse, ioTsValidation, variantFor, type RouteDeps } from './route_deps';

export const ModulesQuery = NamespaceQuery;

export function registerModulesRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .get({ path: ROUTES.modules, access: 'internal', security: READ_AUTHZ, summary: 'Security ML modules, their jobs and which of them exist' })
    .addVersion({ version: API_VERSION, validate: { request: { query: ioTsValidation(ModulesQuery) } } }, async (context, request, response) => {
      const namespace = request.query.namespace ?? 'default';
      const variant = variantFor(deps.kibanaVersion);
      const modules = catalogue.modules.map((m) => ({
        id: m.id,
        title: m.title,
        description: m.description,
        summary: PROFILES[m.id]?.summary ?? '',
        dataStream: `logs-${PROFILES[m.id]?.dataset ?? m.id}-${namespace}`,
        jobs: moduleJobs(m.id, variant).map((j) => ({
          id: j.id,
          function: j.job.analysis_config.detectors[0]?.function ?? '',
          description: j.job.description,
          bucketSpan: j.job.analysis_config.bucket_span,
          installed: false,
          ruleIds: rulesForJob(j.id).map((r) => r.rule_id),
        })),
      }));
      try {
        const installed = await installedJobIds(await currentUserClient(context), modules.flatMap((m) => m.jobs.map((j) => j.id)));
        for (const job of modules.flatMap((m) => m.jobs)) job.installed = installed.has(job.id);
      } catch (error) {
        return errorResponse(response, error, 'Listing ML jobs', deps.logger);
      }
      const body: ModulesResponse = { modules, variant, stackVersion: deps.kibanaVersion };
      return response.ok({ body });
    });
}
