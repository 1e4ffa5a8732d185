/**
 * POST ROUTES.liveStop: the "Keep it live" switch turned off. Removes the namespace's live task
 * (Task Manager invalidates its API key), then, as the user, stops the demo's datafeeds and closes
 * its jobs so the ML memory is free again. The session stays recorded with the demo: turning the
 * switch on again resumes it (the missing windows are indexed at once). 200 with the live status.
 */
import { StopLiveRequest } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { ourJobs } from '../installers/cleanup';
import { readTemplateMeta } from '../installers/index_template';
import { stopRealtime } from '../live/live';
import { liveStatus } from '../live/live_task';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, errorResponse, ioTsValidation, RUN_AUTHZ, type RouteDeps } from './route_deps';

export function registerStopLiveRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .post({ path: ROUTES.liveStop, access: 'internal', security: RUN_AUTHZ, summary: 'Stop keeping the demo live' })
    .addVersion({ version: API_VERSION, validate: { request: { body: ioTsValidation(StopLiveRequest) } } }, async (context, request, response) => {
      const namespace = request.body.namespace ?? 'default';
      try {
        await deps.liveTask.remove(namespace);
        const es = await currentUserClient(context);
        await stopRealtime(es, await ourJobs(es, namespace));
        return response.ok({ body: liveStatus(namespace, undefined, await readTemplateMeta(es, namespace)) });
      } catch (error) {
        return errorResponse(response, error, `Stopping live mode of namespace ${namespace}`, deps.logger);
      }
    });
}
