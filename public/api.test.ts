import { API_VERSION, ROUTES } from '../common/constants';
import { createApiClient, latestRunFromBody, toApiError } from './api';
import { runFixture } from './test_helpers/fixtures';
import { FakeHttpError, fakeCore } from './test_helpers/render';

describe('toApiError', () => {
  const err = (statusCode: number, message: string, attributes?: Record<string, unknown>) => toApiError(new FakeHttpError({ statusCode, message, attributes }));

  it('reads the reason the installer gives', () => {
    expect(err(403, 'x', { reason: 'missing_privilege' }).kind).toBe('privileges');
    expect(err(403, 'x', { reason: 'license' }).kind).toBe('license');
    expect(err(400, 'x', { reason: 'ml_unavailable' }).kind).toBe('ml_unavailable');
    expect(err(409, 'x', { reason: 'conflict', runId: 'r9' })).toEqual({ kind: 'conflict', status: 409, message: 'x', runId: 'r9' });
    expect(err(502, 'x', { reason: 'connection' }).kind).toBe('connection');
  });

  it('falls back on the status and the message', () => {
    expect(err(403, 'current license is non-compliant for [ml]').kind).toBe('license');
    expect(err(403, 'action [cluster:admin/xpack/ml/job/put] is unauthorized for user [demo] with effective roles [viewer], this action is granted by the cluster privileges [manage_ml,manage,all]')).toMatchObject({
      kind: 'privileges',
      privilege: 'cluster privilege manage_ml,manage,all',
    });
    expect(err(403, 'nope', { missingPrivileges: ['manage_ml', 'create_doc'] }).privilege).toBe('manage_ml, create_doc');
    expect(err(409, 'busy').kind).toBe('conflict');
    expect(err(400, 'historyDays: must be between 3 and 90').kind).toBe('validation');
    expect(err(404, 'gone').kind).toBe('not_found');
    expect(err(500, 'boom').kind).toBe('unknown');
    expect(toApiError(new TypeError('Failed to fetch')).kind).toBe('connection');
  });
});

describe('ApiClient', () => {
  it('accepts the latest run bare, wrapped or absent', () => {
    const run = runFixture();
    expect(latestRunFromBody(run)).toEqual(run);
    expect(latestRunFromBody({ run })).toEqual(run);
    expect(latestRunFromBody({ run: null })).toBeNull();
    expect(latestRunFromBody(undefined)).toBeNull();
  });

  it('treats 404 on the latest run as no run', async () => {
    const api = createApiClient(fakeCore({}).core.http);
    await expect(api.getLatestRun()).resolves.toBeNull();
  });

  it('fetches the run when starting answers only its id', async () => {
    const fake = fakeCore({ [`POST ${ROUTES.runs}`]: { runId: 'run-1' }, [`GET ${ROUTES.runs}/run-1`]: runFixture() });
    const api = createApiClient(fake.core.http);
    await expect(api.startRun({ modules: ['security_auth'] })).resolves.toMatchObject({ runId: 'run-1' });
    expect(fake.calls.map((c) => [c.method, c.path, c.options.version])).toEqual([
      ['POST', ROUTES.runs, API_VERSION],
      ['GET', `${ROUTES.runs}/run-1`, API_VERSION],
    ]);
  });
});
