/**
 * POST ROUTES.cleanup: removes what the tool created in a namespace (data streams, template, its
 * ML jobs, its rules) and the live mode's task. Refused (409) while a run (of any space) writes to that namespace.
 */
import { CleanupRequest } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { cleanupDemo } from '../installers/cleanup';
import { liveTaskId } from '../live/live_task';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, CLEANUP_AUTHZ, errorResponse, ioTsValidation, type RouteDeps } from './route_deps';

export function registerCleanupRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .post({ path: ROUTES.cleanup, access: 'internal', security: CLEANUP_AUTHZ, summary: 'Remove the demo of a namespace' })
    .addVersion({ version: API_VERSION, validate: { request: { body: ioTsValidation(CleanupRequest) } } }, async (context, request, response) => {
      const namespace = request.body.namespace ?? 'default';
      const space = await deps.getSpaceId(request);
      // Data streams and jobs are cluster-wide: a run of any space writing this namespace blocks it.
      const active = deps.runs.activeRunForNamespace(namespace);
      if (active) {
        const where = active.space === space ? '' : ` in space "${active.space}"`;
        return response.conflict({
          body: {
            message: `Run ${active.runId}${where} is writing to namespace "${namespace}". Cancel it before cleaning up.`,
            attributes: { reason: 'conflict', runId: active.runId },
          },
        });
      }
      try {
        // The live task first (only ours: its id is the namespace's), so no round writes while the demo goes.
        const liveTask = (await deps.liveTask.remove(namespace)) ? [liveTaskId(namespace)] : [];
        const kibana = await deps.getKibanaSide(context, request);
        const report = await cleanupDemo({ es: await currentUserClient(context), kibana: kibana.api, space, log: (l) => deps.logger.debug(l) }, namespace);
        if (liveTask.length) report.tasks = liveTask;
        const removed =
          liveTask.length + report.dataStreams.length + report.indexTemplates.length + report.jobs.length + report.datafeeds.length + report.rules.length;
        // Nothing removed and every failure a 403: the user may not clean up; say which privilege.
        if (!removed && report.errors.length && report.errors.every((e) => e.includes('(403)'))) {
          return response.forbidden({ body: { message: report.errors.join(' '), attributes: { reason: 'missing_privilege', report } } });
        }
        await deps.runs.markCleaned(space, namespace, await currentUserClient(context));
        return response.ok({ body: report });
      } catch (error) {
        return errorResponse(response, error, `Cleaning up namespace ${namespace}`, deps.logger);
      }
    });
}
