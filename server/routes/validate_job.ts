/**
 * POST ROUTES.validateJob: the page's "Add a job" asks here whether the generator can make data
 * for a user's own job (server/custom_jobs/parse.ts, the same check the run and the CLI make), and
 * gets the job's id, function and bucket span back, or a 400 whose message is one sentence naming
 * the field. Nothing is sent to Elasticsearch.
 */
import { ValidateJobRequest, type ValidateJobResponse } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { CustomJobError, parseCustomJob } from '../custom_jobs/parse';
import type { IRouter } from '../kibana_shim';
import { ioTsValidation, READ_AUTHZ, variantFor, type RouteDeps } from './route_deps';

export function registerValidateJobRoute(router: IRouter, deps: RouteDeps) {
  router.versioned
    .post({ path: ROUTES.validateJob, access: 'internal', security: READ_AUTHZ, summary: 'Check that demo data can be generated for an anomaly detection job' })
    .addVersion({ version: API_VERSION, validate: { request: { body: ioTsValidation(ValidateJobRequest) } } }, async (_context, request, response) => {
      try {
        const job = parseCustomJob({ job: request.body.job, datafeed: request.body.datafeed, source: 'job', datafeedSource: 'datafeed' }, variantFor(deps.kibanaVersion));
        const d = job.job.analysis_config.detectors[0];
        const fields = Object.fromEntries(
          (['field_name', 'by_field_name', 'over_field_name', 'partition_field_name'] as const).filter((k) => d[k]).map((k) => [k.replace('_field_name', '').replace('_name', ''), d[k]!]),
        );
        const body: ValidateJobResponse = { id: job.id, function: d.function, bucketSpan: job.job.analysis_config.bucket_span, fields, description: job.job.description };
        return response.ok({ body });
      } catch (error) {
        if (!(error instanceof CustomJobError)) throw error;
        return response.badRequest({ body: { message: `[request body]: ${error.message}`, attributes: { reason: 'bad_request' } } });
      }
    });
}
