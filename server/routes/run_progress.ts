/** GET ROUTES.run: one run's progress (404 when it is not a run of this space). */
import { RunIdParams } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, READ_AUTHZ, errorResponse, ioTsValidation, type RouteDeps } from './route_deps';

export function registerRunProgressRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .get({ path: ROUTES.run, access: 'internal', security: READ_AUTHZ, summary: 'Progress of a run' })
    .addVersion({ version: API_VERSION, validate: { request: { params: ioTsValidation(RunIdParams) } } }, async (context, request, response) => {
      const runId = request.params.runId!;
      try {
        const run = await deps.runs.get(runId, await deps.getSpaceId(request), await currentUserClient(context));
        if (!run) return response.notFound({ body: { message: `No run ${runId} in this space.`, attributes: { reason: 'not_found' } } });
        return response.ok({ body: run });
      } catch (error) {
        return errorResponse(response, error, `Reading run ${runId}`, deps.logger);
      }
    });
}
