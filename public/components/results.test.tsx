import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import { runFixture } from '../test_helpers/fixtures';
import { fakeCore, renderWithServices } from '../test_helpers/render';
import { JobsTable, detectionOf } from './jobs_table';
import { RunLinks, runJobIds, runRuleIds } from './run_links';

const WINDOW = "time:(from:'2026-11-10T10:00:00.000Z',mode:absolute,to:'2026-11-24T10:00:00.000Z')";

function params(href: string | null) {
  return new URL(`http://kibana${href}`);
}

describe('JobsTable', () => {
  it('shows per job the injected anomaly and the score against the rule threshold', () => {
    renderWithServices(<JobsTable run={runFixture()} />, fakeCore({}).core);
    const row = screen.getByTestId('jobRow-auth_rare_user');
    expect(row.textContent).toContain('new value (seen before: 0)');
    expect(row.textContent).toContain('user.name: svc-backup-07');
    expect(row.textContent).toContain('bucket 2026-11-24 09:45');
    const score = within(row).getByTestId('score-auth_rare_user');
    expect(score.getAttribute('data-detection')).toBe('detected');
    expect(score.textContent).toContain('Detected');
    expect(score.textContent).toContain('score 91 ≥ 75');
    expect(screen.getByTestId('score-auth_rare_hour_for_a_user').textContent).toContain('score 52 < 75');
    expect(screen.getByTestId('score-packetbeat_dns_tunneling').textContent).toBe('No anomaly foundthreshold 50');
    expect(screen.getByTestId('score-auth_rare_hour_for_a_user').getAttribute('data-detection')).toBe('below');
    expect(screen.getByTestId('score-packetbeat_dns_tunneling').textContent).toContain('No anomaly found');
  });

  it('links each job to Anomaly Explorer over the run window', () => {
    renderWithServices(<JobsTable run={runFixture()} />, fakeCore({}).core);
    const link = screen.getByTestId('explorerLink-auth_rare_user');
    expect(link.getAttribute('aria-label')).toBe('Open auth_rare_user in Anomaly Explorer');
    const url = params(link.getAttribute('href'));
    expect(url.pathname).toBe('/app/ml/explorer');
    expect(url.searchParams.get('_g')).toBe(`(ml:(jobIds:!(auth_rare_user)),${WINDOW})`);
  });

  it('links the installed rule by its saved-object id', () => {
    renderWithServices(<JobsTable run={runFixture()} />, fakeCore({}, 'soc').core);
    expect(screen.getByTestId('ruleLink-auth_rare_user').getAttribute('href')).toBe('/s/soc/app/security/rules/id/so-rare-user');
    expect(screen.queryByTestId('ruleLink-packetbeat_dns_tunneling')).toBeNull();
  });

  it('says a rule is not installed only once the run is past its rules, and links only jobs that exist', () => {
    const running = runFixture({ state: 'running', phase: 'jobs', rules: [], jobs: runFixture().jobs.map((j, i) => ({ ...j, state: i === 0 ? ('created' as const) : ('pending' as const) })) });
    const { unmount } = renderWithServices(<JobsTable run={running} />, fakeCore({}).core);
    expect(screen.queryByText('rule not installed')).toBeNull();
    expect(screen.getByTestId('explorerLink-auth_rare_user')).toBeTruthy();
    expect(screen.queryByTestId('explorerLink-auth_rare_hour_for_a_user')).toBeNull();
    unmount();
    renderWithServices(<JobsTable run={runFixture()} />, fakeCore({}).core);
    expect(within(screen.getByTestId('jobRow-packetbeat_dns_tunneling')).getByText('rule not installed')).toBeTruthy();
  });

  it('derives detection when the server did not say', () => {
    const [job] = runFixture().jobs;
    expect(detectionOf({ ...job, detected: undefined, maxRecordScore: 80, ruleThreshold: 75 })).toBe('detected');
    expect(detectionOf({ ...job, detected: undefined, maxRecordScore: 70, ruleThreshold: 75 })).toBe('below');
    expect(detectionOf({ ...job, maxRecordScore: null, state: 'running' })).toBe('pending');
  });
});

describe('RunLinks', () => {
  it('links all the jobs of the run to Anomaly Explorer, with the run window, in the space', () => {
    renderWithServices(<RunLinks run={runFixture()} />, fakeCore({}, 'soc').core);
    const all = screen.getByTestId('explorerAllLink');
    expect(all.textContent).toBe('Open 3 jobs in Anomaly Explorer');
    const url = params(all.getAttribute('href'));
    expect(url.pathname).toBe('/s/soc/app/ml/explorer');
    expect(url.searchParams.get('_g')).toBe(`(ml:(jobIds:!(auth_rare_user,auth_rare_hour_for_a_user,packetbeat_dns_tunneling)),${WINDOW})`);
  });

  it('links the alerts page filtered to the installed rules', () => {
    renderWithServices(<RunLinks run={runFixture()} />, fakeCore({}).core);
    const alerts = screen.getByTestId('alertsLink');
    expect(alerts.textContent).toBe('View alerts of the 2 rules');
    const url = params(alerts.getAttribute('href'));
    expect(url.pathname).toBe('/app/security/alerts');
    expect(url.searchParams.get('query')).toBe(
      `(language:kuery,query:'kibana.alert.rule.rule_id: ("138c5dd5-838b-446e-b1ac-c995c7f8108a" or "745b0119-0560-43ba-860a-7235dd8cee8d")')`,
    );
    expect(url.searchParams.get('timerange')).toContain("timerange:(from:'2026-11-24T09:05:00.000Z',kind:absolute,to:'2026-11-25T10:05:00.000Z')");
  });

  it('uses the ML locator of the share plugin when there is one', async () => {
    const getUrl = jest.fn(async (p: { pageState: { jobIds: string[] } }) => `/s/soc/app/ml/explorer?from-locator=${p.pageState.jobIds.join(',')}`);
    const share = { url: { locators: { get: jest.fn(() => ({ id: 'ML_APP_LOCATOR', getUrl })) } } };
    renderWithServices(<RunLinks run={runFixture()} />, fakeCore({}, 'soc').core, { share: share as never });
    await waitFor(() => expect(screen.getByTestId('explorerAllLink').getAttribute('href')).toBe('/s/soc/app/ml/explorer?from-locator=auth_rare_user,auth_rare_hour_for_a_user,packetbeat_dns_tunneling'));
    expect(share.url.locators.get).toHaveBeenCalledWith('ML_APP_LOCATOR');
    expect(getUrl).toHaveBeenCalledWith({
      page: 'explorer',
      pageState: { jobIds: ['auth_rare_user', 'auth_rare_hour_for_a_user', 'packetbeat_dns_tunneling'], timeRange: { from: '2026-11-10T10:00:00.000Z', to: '2026-11-24T10:00:00.000Z', mode: 'absolute' } },
    });
  });

  it('offers no links before the run has jobs and rules', () => {
    const run = runFixture({ window: undefined, rules: [], jobs: runFixture().jobs.map((j) => ({ ...j, state: 'pending' as const })) });
    expect(runJobIds(run)).toEqual([]);
    expect(runRuleIds(run)).toEqual([]);
    renderWithServices(<RunLinks run={run} />, fakeCore({}).core);
    expect(screen.queryByTestId('explorerAllLink')).toBeNull();
    expect(screen.queryByTestId('alertsLink')).toBeNull();
  });
});
