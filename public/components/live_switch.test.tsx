/**
 * "Keep it live" on the page: shown for a finished demo with jobs, reads the live status, turns
 * live mode on with the chosen interval (POST live) and off (POST live/_stop), says what the
 * server answered, and shows a refusal as the server's sentence.
 */
import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { EuiProvider } from '@elastic/eui';
import type { LiveStatus } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { createServices } from '../application';
import { ServicesProvider } from '../services';
import { MODULES, runFixture, runningFixture } from '../test_helpers/fixtures';
import { FakeHttpError, fakeCore } from '../test_helpers/render';
import { MlDemoDataApp } from './app';

const OFF: LiveStatus = { namespace: 'default', on: false };
const SESSION: LiveStatus['session'] = {
  indexedUntil: '2026-11-24T12:00:00.000Z',
  docs: 1234,
  incidents: 2,
  lastIncident: { round: 2, end: '2026-11-24T12:00:00.000Z', predicted: 6, jobs: 7 },
};

function renderApp(routes: Record<string, unknown>) {
  const fake = fakeCore({ [`GET ${ROUTES.modules}`]: MODULES, ...routes });
  render(
    <EuiProvider colorMode="light">
      <ServicesProvider services={{ ...createServices(fake.core, {}), pollMs: 20 }}>
        <MlDemoDataApp />
      </ServicesProvider>
    </EuiProvider>,
  );
  return fake;
}

describe('Keep it live', () => {
  it('turns live mode on with the chosen interval and off again, showing the session', async () => {
    let status: LiveStatus = OFF;
    const fake = renderApp({
      [`GET ${ROUTES.runs}`]: { run: runFixture() },
      [`GET ${ROUTES.live}`]: () => status,
      [`POST ${ROUTES.live}`]: (_p: string, o: { body?: unknown }) => {
        const body = JSON.parse(String(o.body)) as { namespace: string; incidentEvery: string };
        status = { namespace: body.namespace, on: true, incidentEvery: body.incidentEvery, rounds: 0, session: SESSION };
        return status;
      },
      [`POST ${ROUTES.liveStop}`]: () => (status = { namespace: 'default', on: false, session: SESSION }),
    });
    const toggle = await screen.findByTestId('liveSwitch');
    await waitFor(() => expect((toggle as HTMLButtonElement).disabled).toBe(false));
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect(screen.getByTestId('liveStatus').textContent).toMatch(/^Keeps this demo alerting for days/);
    const get = fake.calls.find((c) => c.method === 'GET' && c.path === ROUTES.live)!;
    expect(get.options).toMatchObject({ version: API_VERSION, query: { namespace: 'default' } });

    fireEvent.change(screen.getByLabelText('Time between incidents'), { target: { value: '2h' } });
    fireEvent.click(toggle);
    await waitFor(() => expect(screen.getByTestId('liveSwitch').getAttribute('aria-checked')).toBe('true'));
    const post = fake.calls.find((c) => c.method === 'POST' && c.path === ROUTES.live)!;
    expect(JSON.parse(String(post.options.body))).toEqual({ namespace: 'default', incidentEvery: '2h' });
    expect(post.options.version).toBe(API_VERSION);
    expect(screen.getByTestId('liveStatus').textContent).toMatch(
      /^On: .* a new incident every 2h, as a Kibana background task\. Documents up to 2026-11-24 12:00 UTC, 1,234 live documents, 2 incidents \(latest: incident 2 .* 6\/7 jobs/,
    );
    expect((screen.getByLabelText('Time between incidents') as HTMLSelectElement).disabled).toBe(true);
    expect(fake.toasts.addSuccess).toHaveBeenCalledWith('Live mode is on: a new incident every 2h.');

    fireEvent.click(screen.getByTestId('liveSwitch'));
    await waitFor(() => expect(screen.getByTestId('liveSwitch').getAttribute('aria-checked')).toBe('false'));
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path === ROUTES.liveStop).map((c) => JSON.parse(String(c.options.body)))).toEqual([
      { namespace: 'default' },
    ]);
    expect(screen.getByTestId('liveStatus').textContent).toMatch(/^Off\. Turning it on resumes where it stopped/);
  });

  it("shows the server's sentence when it refuses", async () => {
    renderApp({
      [`GET ${ROUTES.runs}`]: { run: runFixture() },
      [`GET ${ROUTES.live}`]: OFF,
      [`POST ${ROUTES.live}`]: new FakeHttpError({
        statusCode: 409,
        error: 'Conflict',
        message: 'The demo in namespace "default" is not the one of run run-1 any more (cleaned up or replaced); generate it again first.',
        attributes: { reason: 'conflict' },
      }),
    });
    const toggle = await screen.findByTestId('liveSwitch');
    await waitFor(() => expect((toggle as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(toggle);
    expect((await screen.findByTestId('liveError')).textContent).toMatch(/is not the one of run run-1 any more/);
    expect(screen.getByTestId('liveSwitch').getAttribute('aria-checked')).toBe('false');
  });

  it('is not offered while a run is in progress', async () => {
    renderApp({ [`GET ${ROUTES.runs}`]: { run: runningFixture() }, [`GET /internal/ml_demo_data/runs/run-1`]: runningFixture() });
    await screen.findByTestId('runProgress');
    expect(screen.queryByTestId('liveSwitch')).toBeNull();
  });
});
