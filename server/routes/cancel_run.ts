/**
 * POST ROUTES.cancel: asks the run to stop (202 with its progress; it ends as 'cancelled' after
 * its current step, with a cleanup hint). Cancelling a cancelled run is fine; a finished one 409.
 */
import { RunIdParams } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, RUN_AUTHZ, errorResponse, ioTsValidation, type RouteDeps } from './route_deps';

export function registerCancelRunRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .post({ path: ROUTES.cancel, access: 'internal', security: RUN_AUTHZ, summary: 'Cancel a run' })
    .addVersion({ version: API_VERSION, validate: { request: { params: ioTsValidation(RunIdParams) } } }, async (context, request, response) => {
      const runId = request.params.runId!;
      try {
        const outcome = await deps.runs.cancel(runId, await deps.getSpaceId(request), await currentUserClient(context));
        switch (outcome.kind) {
          case 'not_found':
            return response.notFound({ body: { message: `No run ${runId} in this space.`, attributes: { reason: 'not_found' } } });
          case 'cancelling':
            return response.accepted({ body: outcome.progress });
          case 'elsewhere':
            return response.conflict({
              body: { message: `Run ${runId} is running in another Kibana instance; it can be cancelled only there.`, attributes: { reason: 'conflict', runId } },
            });
          case 'finished':
            if (outcome.progress.state === 'cancelled') return response.ok({ body: outcome.progress });
            return response.conflict({
              body: { message: `Run ${runId} is not running (it ${outcome.progress.state === 'interrupted' ? 'was interrupted' : outcome.progress.state}).`, attributes: { reason: 'conflict', runId, state: outcome.progress.state } },
            });
        }
      } catch (error) {
        return errorResponse(response, error, `Cancelling run ${runId}`, deps.logger);
      }
    });
}
