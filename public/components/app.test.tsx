import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { EuiProvider } from '@elastic/eui';
import { API_VERSION, ROUTES, runPath } from '../../common/constants';
import type { RunProgress } from '../../common/api';
import { MODULES, runFixture, runningFixture } from '../test_helpers/fixtures';
import { FakeHttpError, fakeCore } from '../test_helpers/render';
import { createServices } from '../application';
import { ServicesProvider } from '../services';
import { MlDemoDataApp } from './app';

function renderApp(routes: Record<string, unknown>, space = 'default', pollMs = 20) {
  const fake = fakeCore({ [`GET ${ROUTES.modules}`]: MODULES, ...routes }, space);
  const services = { ...createServices(fake.core, {}), pollMs };
  render(
    <EuiProvider colorMode="light">
      <ServicesProvider services={services}>
        <MlDemoDataApp />
      </ServicesProvider>
    </EuiProvider>,
  );
  return fake;
}

const noRun = { [`GET ${ROUTES.runs}`]: { run: null } };

describe('MlDemoDataApp', () => {
  it('loads the modules with all selected and no run', async () => {
    const fake = renderApp(noRun);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Generate ML demo data');
    await screen.findByTestId('moduleCard-security_auth');
    expect(screen.getByTestId('moduleSelectionSummary').textContent).toBe('2 of 2 modules selected, 5 jobs');
    expect(screen.queryByTestId('runPanel')).toBeNull();
    expect(fake.calls.every((c) => c.options.version === API_VERSION)).toBe(true);
  });

  it('refuses to generate with invalid options or no module, and says why', async () => {
    const fake = renderApp(noRun);
    await screen.findByTestId('moduleCard-security_auth');
    fireEvent.click(screen.getByTestId('selectNoModules'));
    fireEvent.change(screen.getByLabelText('History (days)'), { target: { value: '1' } });
    fireEvent.click(screen.getByTestId('generateButton'));
    expect(screen.getByTestId('modulesError').textContent).toBe('Select at least one module (or add a job of your own).');
    expect(screen.getByText(/A whole number of days from 3 to 90/)).toBeTruthy();
    expect(screen.getByTestId('generateHint').textContent).toBe('Fix the fields marked above.');
    expect(fake.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('Add a job: pasted JSON is checked by the server, listed, and sent with the run (no module needed)', async () => {
    const job = { job_id: 'my_job', analysis_config: { bucket_span: '1h', detectors: [{ function: 'high_mean', field_name: 'event.duration', by_field_name: 'service.name' }] } };
    const fake = renderApp({
      ...noRun,
      [`POST ${ROUTES.validateJob}`]: (_path: string, options: { body?: unknown }) => {
        const body = JSON.parse(String(options.body)) as { job: { job_id?: string; analysis_config?: unknown } };
        if (!body.job.analysis_config) {
          return new FakeHttpError({ statusCode: 400, error: 'Bad Request', message: '[request body]: job: analysis_config is missing; give the body of PUT _ml/anomaly_detectors/<job> or a Kibana module job file' });
        }
        return { id: body.job.job_id, function: 'high_mean', bucketSpan: '1h', fields: { field: 'event.duration', by: 'service.name' }, description: '' };
      },
      [`POST ${ROUTES.runs}`]: runningFixture(),
      [`GET ${runPath('run-1')}`]: runningFixture(),
    });
    await screen.findByTestId('moduleCard-security_auth');
    fireEvent.click(screen.getByText(/Add a job of your own/));
    fireEvent.change(screen.getByTestId('addJobText'), { target: { value: '{ not json' } });
    fireEvent.click(screen.getByTestId('addJobButton'));
    expect((await screen.findByTestId('addJobError')).textContent).toMatch(/^The job is not JSON/);
    fireEvent.change(screen.getByTestId('addJobText'), { target: { value: '{"job_id": "x"}' } });
    fireEvent.click(screen.getByTestId('addJobButton'));
    await waitFor(() => expect(screen.getByTestId('addJobError').textContent).toBe('job: analysis_config is missing; give the body of PUT _ml/anomaly_detectors/<job> or a Kibana module job file'));
    fireEvent.change(screen.getByTestId('addJobText'), { target: { value: JSON.stringify(job) } });
    fireEvent.click(screen.getByTestId('addJobButton'));
    await screen.findByTestId('addedJobs');
    expect(screen.getByTestId('addedJobs').textContent).toMatch(/my_job.*high_mean.*1h.*field: event\.duration, by: service\.name/);
    expect(screen.queryByTestId('addJobError')).toBeNull();
    fireEvent.click(screen.getByTestId('selectNoModules'));
    expect(screen.getByTestId('generateHint').textContent).toMatch(/^0 modules and 1 of your own job,/);
    fireEvent.click(screen.getByTestId('generateButton'));
    await screen.findByTestId('runProgress');
    const post = fake.calls.find((c) => c.method === 'POST' && c.path === ROUTES.runs)!;
    const sent = JSON.parse(String(post.options.body)) as Record<string, unknown>;
    expect(sent.modules).toBeUndefined();
    expect(sent.customJobs).toEqual([{ job }]);
  });

  it('starts a run, polls it to the end and shows the results', async () => {
    let polls = 0;
    const fake = renderApp({
      ...noRun,
      [`POST ${ROUTES.runs}`]: runningFixture({ phase: 'preflight', docs: { planned: 120000, generated: 0, indexed: 0, failed: 0 } }),
      [`GET ${runPath('run-1')}`]: () => (++polls < 2 ? runningFixture() : runFixture()),
    });
    await screen.findByTestId('moduleCard-security_auth');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Security: Packetbeat' }));
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: 'demo-1' } });
    fireEvent.click(screen.getByTestId('generateButton'));
    await screen.findByTestId('runProgress');
    const post = fake.calls.find((c) => c.method === 'POST');
    expect(post?.path).toBe(ROUTES.runs);
    expect(post?.options.version).toBe(API_VERSION);
    expect(JSON.parse(post?.options.body ?? '{}')).toMatchObject({ modules: ['security_auth'], seed: 'demo-1', historyDays: 14, enableJobs: true, installRules: true });
    await waitFor(() => expect(screen.getByTestId('runState').textContent).toBe('Finished'));
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(screen.getByTestId('explorerAllLink').getAttribute('href')).toContain('jobIds:!(auth_rare_user,auth_rare_hour_for_a_user,packetbeat_dns_tunneling)');
    expect(screen.getByTestId('jobsTable')).toBeTruthy();
  });

  it('picks up the space’s running run on load and follows it', async () => {
    let polls = 0;
    renderApp({
      [`GET ${ROUTES.runs}`]: runningFixture(),
      [`GET ${runPath('run-1')}`]: () => (++polls < 3 ? runningFixture() : runFixture()),
    });
    await screen.findByTestId('runProgress');
    expect(screen.getByTestId('runState').textContent).toBe('Running · Index documents');
    expect((screen.getByTestId('generateButton') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId('runState').textContent).toBe('Finished'));
  });

  it('shows an interrupted run with a callout offering Clean up', async () => {
    const fake = renderApp({
      [`GET ${ROUTES.runs}`]: runFixture({ state: 'interrupted', phase: 'jobs', request: { ...runFixture().request, namespace: 'demo' } }),
      [`POST ${ROUTES.cleanup}`]: { dataStreams: ['logs-ml_demo.auth-demo'], indexTemplates: [], jobs: [], datafeeds: [], rules: [], errors: [] },
    });
    const callout = await screen.findByTestId('interruptedCallout');
    expect(callout.textContent).toContain('Kibana restarted while this run was in progress');
    expect(callout.textContent).toContain('“Create jobs”');
    fireEvent.click(callout.querySelector('[data-test-subj="cleanupButton"]') as HTMLElement);
    fireEvent.click(screen.getByText('Remove demo data'));
    await waitFor(() => expect(screen.queryByTestId('runPanel')).toBeNull());
    expect(fake.calls.find((c) => c.method === 'POST')?.options.body).toBe(JSON.stringify({ namespace: 'demo' }));
  });

  it('names the missing privilege on 403', async () => {
    renderApp({
      ...noRun,
      [`POST ${ROUTES.runs}`]: new FakeHttpError({
        statusCode: 403,
        error: 'Forbidden',
        message: 'create ML jobs: not allowed (403). action [cluster:admin/xpack/ml/job/put] is unauthorized for user [demo]. Missing privilege: one of [manage_ml,manage,all] (cluster).',
        attributes: { reason: 'missing_privilege' },
      }),
    });
    await screen.findByTestId('moduleCard-security_auth');
    fireEvent.click(screen.getByTestId('generateButton'));
    const callout = await screen.findByTestId('privilegesCallout');
    expect(screen.getByTestId('missingPrivilege').textContent).toBe('cluster privilege manage_ml,manage,all');
    expect(callout.textContent).toContain('manage_ml');
  });

  it('explains a missing ML licence with a link to License Management', async () => {
    renderApp({ ...noRun, [`GET ${ROUTES.modules}`]: new FakeHttpError({ statusCode: 403, message: 'current license is non-compliant for [ml]', attributes: { reason: 'license' } }) }, 'soc');
    await screen.findByTestId('licenseCallout');
    expect(screen.getByTestId('licenseManagementLink').getAttribute('href')).toBe('/s/soc/app/management/stack/license_management/home');
  });

  it('on 409 offers to show the run already going, and attaches to it', async () => {
    const running: RunProgress = runningFixture({ runId: 'other-run' });
    renderApp({
      ...noRun,
      [`POST ${ROUTES.runs}`]: new FakeHttpError({ statusCode: 409, message: 'A run is in progress', attributes: { runId: 'other-run' } }),
      [`GET ${runPath('other-run')}`]: running,
    });
    await screen.findByTestId('moduleCard-security_auth');
    fireEvent.click(screen.getByTestId('generateButton'));
    await screen.findByTestId('conflictCallout');
    await act(async () => {
      fireEvent.click(screen.getByTestId('showRunningButton'));
    });
    await screen.findByTestId('runProgress');
    expect(screen.queryByTestId('conflictCallout')).toBeNull();
  });

  it('says when the modules cannot be loaded and retries', async () => {
    let fail = true;
    renderApp({
      ...noRun,
      [`GET ${ROUTES.modules}`]: () => (fail ? new FakeHttpError({ statusCode: 500, message: 'boom' }) : MODULES),
    });
    await screen.findByTestId('errorCallout');
    fail = false;
    fireEvent.click(screen.getByTestId('retryButton'));
    await screen.findByTestId('moduleCard-security_auth');
  });

  it('shows an empty state when no module is available', async () => {
    renderApp({ ...noRun, [`GET ${ROUTES.modules}`]: { modules: [], variant: 'classic' } });
    await screen.findByTestId('noModules');
  });
});

