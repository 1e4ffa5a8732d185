/**
 * POST ROUTES.runs: runs the preflight as the user (so a missing privilege, licence or ML is this
 * request's 4xx, not a failed run), then hands the run to Task Manager with the user's
 * credentials (server/runs/run_task.ts) and answers 202 `{ runId }`; 409 with the running run's
 * id when the space already has one.
 */
import { StartRunRequest } from '../../common/api';
import { resolveSelection } from '../../common/catalogue';
import { API_VERSION, ROUTES } from '../../common/constants';
import type { CatalogueJob } from '../../common/catalogue/types';
import { CustomJobError } from '../custom_jobs/parse';
import { resolveOptions } from '../generators/options';
import { buildPlan } from '../generators/plan';
import { preflight } from '../installers/preflight';
import { refuseCollisions } from '../installers/run';
import type { InstallOptions } from '../installers/types';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, RUN_AUTHZ, errorResponse, ioTsValidation, requestCustomJobs, variantFor, type RouteDeps } from './route_deps';

export function registerStartRunRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .post({ path: ROUTES.runs, access: 'internal', security: RUN_AUTHZ, summary: 'Generate the demo data and install jobs and rules' })
    .addVersion({ version: API_VERSION, validate: { request: { body: ioTsValidation(StartRunRequest) } } }, async (context, request, response) => {
      const body = request.body;
      const { installRules: wantRules, enableJobs, customJobs: customInputs, ...rest } = body;
      // What the codec cannot see: unknown module names, a date that does not exist, a job the
      // generator cannot make data for (server/custom_jobs: one sentence naming the field).
      const invalid = (message: string) => response.badRequest({ body: { message: `[request body]: ${message}`, attributes: { reason: 'bad_request' } } });
      try {
        resolveSelection(rest.modules ?? [], variantFor(deps.kibanaVersion));
      } catch (error) {
        return invalid(`modules: ${(error as Error).message}`);
      }
      let customJobs: CatalogueJob[] | undefined;
      try {
        customJobs = requestCustomJobs(customInputs, deps.kibanaVersion);
      } catch (error) {
        if (error instanceof CustomJobError) return invalid(error.message);
        throw error;
      }
      const generate = { ...rest, ...(customJobs ? { customJobs } : {}) };
      try {
        resolveOptions({ ...generate, modules: generate.modules ?? [] });
      } catch (error) {
        return invalid((error as Error).message);
      }
      const space = await deps.getSpaceId(request);
      const es = await currentUserClient(context);
      const kibana = await deps.getKibanaSide(context, request);
      const notices = [...kibana.notices];
      if (wantRules !== false && !kibana.rulesAvailable)
        notices.push(
          'Rules are skipped: this Kibana has no alerting rules client for the plugin. Install them with the command line (ml-demo-data) if needed.',
        );
      const options: InstallOptions = { ...generate, modules: generate.modules ?? [], enableJobs, installRules: wantRules !== false && kibana.rulesAvailable };
      const namespace = options.namespace ?? 'default';

      const outcome = await deps.runs.submit({
        space,
        request: body,
        options,
        es,
        notices,
        // The user's privileges, licence and ML, then what the run would collide with (another
        // namespace's jobs, a foreign template or stream): all of it is this request's 4xx.
        preflight: async () => {
          const stack = await preflight(es, kibana.api, namespace, deps.stack);
          await refuseCollisions({ es }, buildPlan({ ...options, variant: options.variant ?? stack.variant }), options.enableJobs !== false);
          return stack;
        },
        schedule: (runId) => deps.scheduleRun(request, { runId, space, request: body, options, notices }),
      });
      if (outcome.kind === 'conflict') {
        const message =
          outcome.scope === 'space'
            ? `A run is already in progress in this space (run ${outcome.runId}). Wait for it to finish or cancel it.`
            : `Run ${outcome.runId} of another space is writing namespace "${options.namespace ?? 'default'}". Choose another namespace or wait for it.`;
        return response.conflict({ body: { message, attributes: { reason: 'conflict', runId: outcome.runId, scope: outcome.scope } } });
      }
      if (outcome.kind === 'rejected') return errorResponse(response, outcome.error, 'Starting the run', deps.logger);
      return response.accepted({ body: { runId: outcome.runId } });
    });
}
