/**
 * A run's phases, documents indexed and state, with a polite live region that announces phase and
 * state changes (not every document count) to screen readers.
 *
 * The phases are an ordered list with EUI's step markers (EuiStepNumber) rather than
 * EuiStepsHorizontal: that component renders every step as a button with a required onClick, and
 * these steps are a status display, not navigation.
 */
import React from 'react';
import { EuiFlexGroup, EuiFlexItem, EuiProgress, EuiScreenReaderLive, EuiScreenReaderOnly, EuiSpacer, EuiStepNumber, EuiText, useEuiTheme, type EuiStepStatus } from '@elastic/eui';
import type { PhaseId, RunProgress } from '../../common/api';

export const PHASES: { id: PhaseId; title: string }[] = [
  { id: 'preflight', title: 'Check access' },
  { id: 'plan', title: 'Plan data' },
  { id: 'index', title: 'Index documents' },
  { id: 'jobs', title: 'Create jobs' },
  { id: 'datafeeds', title: 'Run datafeeds' },
  { id: 'rules', title: 'Install rules' },
  { id: 'readback', title: 'Read results' },
  { id: 'done', title: 'Done' },
];

const STATE_TEXT: Record<RunProgress['state'], string> = {
  running: 'Running',
  succeeded: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function phaseTitle(phase: PhaseId): string {
  return PHASES.find((p) => p.id === phase)?.title ?? phase;
}

/** Whether a phase applies to this run (jobs and datafeeds need enableJobs; rules need installRules). */
function applies(phase: PhaseId, run: RunProgress): boolean {
  const enableJobs = run.request.enableJobs !== false;
  if (phase === 'jobs' || phase === 'datafeeds' || phase === 'readback') return enableJobs;
  if (phase === 'rules') return enableJobs && run.request.installRules !== false;
  return true;
}

export function phaseStatus(phase: PhaseId, run: RunProgress): EuiStepStatus {
  if (!applies(phase, run)) return 'disabled';
  if (run.state === 'succeeded') return 'complete';
  const current = PHASES.findIndex((p) => p.id === run.phase);
  const index = PHASES.findIndex((p) => p.id === phase);
  if (index < current) return 'complete';
  if (index > current) return 'incomplete';
  switch (run.state) {
    case 'running':
      return 'loading';
    case 'failed':
      return 'danger';
    default:
      return 'warning';
  }
}

const STATUS_TEXT: Partial<Record<EuiStepStatus, string>> = {
  complete: 'complete',
  incomplete: 'to do',
  loading: 'in progress',
  danger: 'failed',
  warning: 'stopped',
  disabled: 'skipped',
};

export function liveSummary(run: RunProgress): string {
  if (run.state === 'running') return `Run ${STATE_TEXT[run.state].toLowerCase()}: ${phaseTitle(run.phase)}.`;
  const detected = run.jobs.filter((j) => j.detected).length;
  return `Run ${STATE_TEXT[run.state].toLowerCase()} at ${phaseTitle(run.phase)}.${run.state === 'succeeded' ? ` ${detected} of ${run.jobs.length} anomalies detected.` : ''}`;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export const RunProgressPanel: React.FC<{ run: RunProgress }> = ({ run }) => {
  const { euiTheme } = useEuiTheme();
  const { planned, indexed, failed } = run.docs;
  const fraction = planned > 0 ? Math.min(1, indexed / planned) : 0;
  return (
    <div data-test-subj="runProgress">
      <EuiScreenReaderLive isActive focusRegionOnTextChange={false}>
        {liveSummary(run)}
      </EuiScreenReaderLive>
      <ol
        aria-label="Run phases"
        data-test-subj="runPhases"
        style={{ display: 'flex', flexWrap: 'wrap', gap: euiTheme.size.m, listStyle: 'none', padding: 0, margin: 0 }}
      >
        {PHASES.map((p, i) => {
          const status = phaseStatus(p.id, run);
          const isCurrent = run.phase === p.id && run.state === 'running';
          return (
            <li
              key={p.id}
              aria-current={isCurrent ? 'step' : undefined}
              data-test-subj={`phase-${p.id}`}
              data-status={status}
              style={{ display: 'flex', alignItems: 'center', gap: euiTheme.size.s, minWidth: 150, flex: '1 1 150px' }}
            >
              <EuiStepNumber status={status} number={i + 1} titleSize="xs" aria-hidden />
              <EuiText size="s" color={status === 'incomplete' || status === 'disabled' ? 'subdued' : 'default'}>
                <span style={{ fontWeight: isCurrent ? euiTheme.font.weight.bold : undefined }}>{p.title}</span>
                <EuiScreenReaderOnly>
                  <span>: {STATUS_TEXT[status] ?? status}</span>
                </EuiScreenReaderOnly>
              </EuiText>
            </li>
          );
        })}
      </ol>
      <EuiSpacer size="l" />
      <EuiProgress
        // `planned` is the server's estimate; the bar is full once it is reached.
        value={Math.min(indexed, Math.max(planned, 1))}
        max={Math.max(planned, 1)}
        size="m"
        color={run.state === 'failed' ? 'danger' : fraction >= 1 ? 'success' : 'primary'}
        label="Documents indexed"
        valueText={`${indexed < planned ? `${fmt(indexed)} of ${fmt(planned)}` : fmt(indexed)}${failed ? ` (${fmt(failed)} failed)` : ''}`}
        data-test-subj="docsProgress"
      />
      <EuiSpacer size="s" />
      <EuiFlexGroup gutterSize="l" wrap responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiText size="xs" color="subdued" data-test-subj="runState">
            {STATE_TEXT[run.state]}
            {run.state === 'running' ? ` · ${phaseTitle(run.phase)}` : ''}
          </EuiText>
        </EuiFlexItem>
        {run.window && (
          <EuiFlexItem grow={false}>
            <EuiText size="xs" color="subdued" data-test-subj="runWindow">
              Data from {new Date(run.window.start).toUTCString()} to {new Date(run.window.end).toUTCString()}
            </EuiText>
          </EuiFlexItem>
        )}
        {run.dataStreams.length > 0 && (
          <EuiFlexItem grow={false}>
            <EuiText size="xs" color="subdued">
              {run.dataStreams.length} data {run.dataStreams.length === 1 ? 'stream' : 'streams'}
            </EuiText>
          </EuiFlexItem>
        )}
      </EuiFlexGroup>
    </div>
  );
};
