/** GET ROUTES.runs: the space's latest run (`{ run: null }` when there is none), for page reloads. */
import { API_VERSION, ROUTES } from '../../common/constants';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, READ_AUTHZ, errorResponse, type RouteDeps } from './route_deps';

export function registerLatestRunRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .get({ path: ROUTES.runs, access: 'internal', security: READ_AUTHZ, summary: "The space's latest run" })
    .addVersion({ version: API_VERSION, validate: false }, async (context, request, response) => {
      try {
        const run = await deps.runs.latest(await deps.getSpaceId(request), await currentUserClient(context));
        return response.ok({ body: { run: run ?? null } });
      } catch (error) {
        return errorResponse(response, error, 'Reading the latest run', deps.logger);
      }
    });
}
