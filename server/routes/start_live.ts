/**
 * POST ROUTES.live: the page's "Keep it live" switch turned on. Keeps the space's latest demo of
 * the namespace alive (server/live/live_task.ts): checks, as the user, that the demo the run set up
 * is still the one in the namespace, then schedules the recurring live task with the user's
 * credentials and answers 202 with the live status. 409 when it is already live, a run is writing
 * the namespace, or the demo was replaced; 400 (one sentence naming the field) when there is no
 * finished demo with jobs to keep live.
 */
import { StartLiveRequest } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { incidentEveryMs } from '../../common/options';
import { CustomJobError } from '../custom_jobs/parse';
import { buildPlan } from '../generators/plan';
import { readTemplateMeta } from '../installers/index_template';
import { planFingerprint } from '../installers/indexer';
import { keepsTimeline } from '../installers/run';
import { DEFAULT_INCIDENT_EVERY_MS, type LiveState } from '../live/live';
import { liveStatus } from '../live/live_task';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, errorResponse, ioTsValidation, requestCustomJobs, RUN_AUTHZ, variantFor, type RouteDeps } from './route_deps';

export function registerStartLiveRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .post({ path: ROUTES.live, access: 'internal', security: RUN_AUTHZ, summary: 'Keep the demo live (a Task Manager task)' })
    .addVersion({ version: API_VERSION, validate: { request: { body: ioTsValidation(StartLiveRequest) } } }, async (context, request, response) => {
      const namespace = request.body.namespace ?? 'default';
      const every = request.body.incidentEvery === undefined ? DEFAULT_INCIDENT_EVERY_MS : incidentEveryMs(request.body.incidentEvery)!;
      const invalid = (message: string) => response.badRequest({ body: { message: `[request body]: ${message}`, attributes: { reason: 'bad_request' } } });
      const conflict = (message: string) => response.conflict({ body: { message, attributes: { reason: 'conflict' } } });
      try {
        const space = await deps.getSpaceId(request);
        const active = deps.runs.activeRunForNamespace(namespace);
        if (active) return conflict(`Run ${active.runId} is writing to namespace "${namespace}"; keep the demo live once it has finished.`);
        if (await deps.liveTask.get(namespace)) return conflict(`The demo of namespace "${namespace}" is already kept live; stop it first to change it.`);
        const es = await currentUserClient(context);
        const run = await deps.runs.latest(space, es);
        if (!run || (run.request.namespace ?? 'default') !== namespace || run.state !== 'succeeded' || !run.window)
          return invalid(`namespace: there is no finished demo in namespace "${namespace}" in this space to keep live; generate it first.`);
        if (run.request.enableJobs === false || !run.jobs.some((j) => j.state === 'processed'))
          return invalid(`namespace: the demo of namespace "${namespace}" has no ML jobs to keep live; generate it with its jobs.`);
        const { enableJobs: _e, installRules, customJobs: inputs, end: _end, ...rest } = run.request;
        let customJobs;
        try {
          customJobs = requestCustomJobs(inputs, deps.kibanaVersion);
        } catch (error) {
          if (error instanceof CustomJobError) return invalid(error.message);
          throw error;
        }
        const base: LiveState['options'] = {
          ...rest,
          modules: rest.modules ?? [],
          ...(customJobs ? { customJobs } : {}),
          namespace,
          enableJobs: true,
          installRules,
          variant: variantFor(deps.kibanaVersion),
          end: run.window.end,
          // As the run decided it (run.ts keepsTimeline): on a Kibana without manual rule runs it placed the anomalies without the timeline.
          timeline: keepsTimeline({ timeline: rest.timeline, installRules }, { version: deps.kibanaVersion, runRules: true }),
        };
        // The namespace must still hold this run's demo (a CLI run or a cleanup may have replaced it).
        const meta = await readTemplateMeta(es, namespace);
        if (!meta?.fingerprint || meta.fingerprint !== planFingerprint(buildPlan(base, deps.now())))
          return conflict(
            `The demo in namespace "${namespace}" is not the one of run ${run.runId} any more (cleaned up or replaced); generate it again first.`,
          );
        try {
          await deps.liveTask.schedule(request, { space, namespace, incidentEveryMs: every, base });
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 409)
            return conflict(`The demo of namespace "${namespace}" is already kept live; stop it first to change it.`);
          throw error;
        }
        return response.accepted({ body: liveStatus(namespace, await deps.liveTask.get(namespace), meta) });
      } catch (error) {
        return errorResponse(response, error, `Keeping namespace ${namespace} live`, deps.logger);
      }
    });
}
