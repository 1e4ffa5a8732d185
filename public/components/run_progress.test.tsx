import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { EuiProvider } from '@elastic/eui';
import { runFixture, runningFixture } from '../test_helpers/fixtures';
import { RunProgressPanel, liveSummary, phaseStatus } from './run_progress';

const renderRun = (run = runningFixture()) =>
  render(
    <EuiProvider colorMode="light">
      <RunProgressPanel run={run} />
    </EuiProvider>,
  );

const statuses = () =>
  Object.fromEntries(within(screen.getByTestId('runPhases')).getAllByRole('listitem').map((li) => [li.getAttribute('data-test-subj'), li.getAttribute('data-status')]));

describe('RunProgressPanel', () => {
  it('shows the phases done, current and to do of a running run', () => {
    renderRun();
    expect(statuses()).toEqual({
      'phase-preflight': 'complete',
      'phase-plan': 'complete',
      'phase-index': 'loading',
      'phase-jobs': 'incomplete',
      'phase-datafeeds': 'incomplete',
      'phase-rules': 'incomplete',
      'phase-readback': 'incomplete',
      'phase-done': 'incomplete',
    });
    const current = screen.getByTestId('phase-index');
    expect(current.getAttribute('aria-current')).toBe('step');
    expect(current.textContent).toContain('Index documents: in progress');
    expect(screen.getByRole('list', { name: 'Run phases' })).toBeTruthy();
  });

  it('shows documents indexed as a progress bar with its value', () => {
    renderRun();
    const progress = screen.getByTestId('docsProgress');
    const bar = progress.tagName === 'PROGRESS' ? progress : progress.querySelector('progress');
    expect(bar?.getAttribute('value')).toBe('45000');
    expect(bar?.getAttribute('max')).toBe('120000');
    expect(document.body.textContent).toContain('Documents indexed');
    expect(document.body.textContent).toContain('45,000 of 120,000');
  });

  it('announces phase changes in a live region', () => {
    renderRun();
    const live = document.querySelector('[aria-live]');
    expect(live).not.toBeNull();
    expect(document.body.textContent).toContain('Run running: Index documents.');
  });

  it('marks skipped phases when jobs or rules are off', () => {
    const run = runningFixture({ request: { ...runningFixture().request, installRules: false } });
    expect(phaseStatus('rules', run)).toBe('disabled');
    expect(phaseStatus('jobs', run)).toBe('incomplete');
    const noJobs = runningFixture({ request: { ...runningFixture().request, enableJobs: false } });
    expect(['jobs', 'datafeeds', 'rules', 'readback'].map((p) => phaseStatus(p as never, noJobs))).toEqual(['disabled', 'disabled', 'disabled', 'disabled']);
  });

  it('shows a finished run complete with its window and summary', () => {
    renderRun(runFixture());
    expect(new Set(Object.values(statuses()))).toEqual(new Set(['complete']));
    expect(screen.getByTestId('runWindow').textContent).toContain('Tue, 10 Nov 2026 10:00:00 GMT');
    expect(liveSummary(runFixture())).toBe('Run finished at Done. 1 of 3 anomalies detected.');
  });

  it('marks the phase a run failed or was interrupted in', () => {
    expect(phaseStatus('jobs', runFixture({ state: 'failed', phase: 'jobs' }))).toBe('danger');
    expect(phaseStatus('jobs', runFixture({ state: 'interrupted', phase: 'jobs' }))).toBe('warning');
    expect(phaseStatus('index', runFixture({ state: 'interrupted', phase: 'jobs' }))).toBe('complete');
  });
});
