/** GET ROUTES.live?namespace=: whether the namespace's demo is kept live (its task), and the recorded session. */
import { NamespaceQuery } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { readTemplateMeta } from '../installers/index_template';
import { liveStatus } from '../live/live_task';
import type { IRouter } from '../kibana_shim';
import { currentUserClient, errorResponse, ioTsValidation, READ_AUTHZ, type RouteDeps } from './route_deps';

export function registerLiveStatusRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .get({ path: ROUTES.live, access: 'internal', security: READ_AUTHZ, summary: 'Live mode of a namespace' })
    .addVersion({ version: API_VERSION, validate: { request: { query: ioTsValidation(NamespaceQuery) } } }, async (context, request, response) => {
      const namespace = request.query.namespace ?? 'default';
      try {
        const task = await deps.liveTask.get(namespace);
        const meta = await readTemplateMeta(await currentUserClient(context), namespace);
        return response.ok({ body: liveStatus(namespace, task, meta) });
      } catch (error) {
        return errorResponse(response, error, `Reading live mode of namespace ${namespace}`, deps.logger);
      }
    });
}
