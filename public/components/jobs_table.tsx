/**
 * Per job: its state, the anomaly injected for it, the highest record score its results show
 * against the rule's threshold, and links to Anomaly Explorer (this job, the run's window) and to
 * its rule.
 */
import React from 'react';
import { EuiBadge, EuiBasicTable, EuiCode, EuiHealth, EuiLink, EuiText, EuiToolTip, type EuiBasicTableColumn } from '@elastic/eui';
import type { JobProgress, RunProgress } from '../../common/api';
import type { TimeRange } from '../../common/links';
import { useExplorerUrl, useServices } from '../services';

const STATE_COLOR: Record<JobProgress['state'], string> = {
  pending: 'subdued',
  created: 'primary',
  existing: 'warning',
  running: 'primary',
  processed: 'success',
  failed: 'danger',
  skipped: 'subdued',
};

const STATE_TEXT: Record<JobProgress['state'], string> = {
  pending: 'Pending',
  created: 'Created',
  existing: 'Already existed',
  running: 'Datafeed running',
  processed: 'Processed',
  failed: 'Failed',
  skipped: 'Skipped',
};

export type Detection = 'detected' | 'below' | 'none' | 'pending';

/** Whether the job's results reach the rule's threshold (the server's `detected` wins when given). */
export function detectionOf(job: JobProgress): Detection {
  if (job.maxRecordScore === null || job.maxRecordScore === undefined) return job.state === 'processed' ? 'none' : 'pending';
  const detected = job.detected ?? (job.ruleThreshold === undefined ? job.maxRecordScore >= 75 : job.maxRecordScore >= job.ruleThreshold);
  return detected ? 'detected' : 'below';
}

/** Whether the job is in the stack (so Anomaly Explorer can show it). */
export function jobExists(job: JobProgress): boolean {
  return job.state !== 'pending' && job.state !== 'failed' && job.state !== 'skipped';
}

export function runTimeRange(run: RunProgress): TimeRange | undefined {
  return run.window ? { from: run.window.start, to: run.window.end } : undefined;
}

const ExplorerLink: React.FC<{ jobId: string; timeRange?: TimeRange }> = ({ jobId, timeRange }) => {
  const url = useExplorerUrl([jobId], timeRange);
  if (!url) return null;
  return (
    <EuiLink href={url} aria-label={`Open ${jobId} in Anomaly Explorer`} data-test-subj={`explorerLink-${jobId}`}>
      Anomaly Explorer
    </EuiLink>
  );
};

const Score: React.FC<{ job: JobProgress }> = ({ job }) => {
  const detection = detectionOf(job);
  const score = job.maxRecordScore === null ? null : Math.round(job.maxRecordScore);
  const threshold = job.ruleThreshold ?? '—';
  const text = { detected: 'Detected', below: 'Below threshold', none: 'No anomaly found', pending: 'Not read yet' }[detection];
  const color = { detected: 'success', below: 'warning', none: 'danger', pending: 'subdued' }[detection];
  return (
    <div data-test-subj={`score-${job.jobId}`} data-detection={detection}>
      <EuiHealth color={color}>{text}</EuiHealth>
      <EuiText size="xs" color="subdued">
        {detection === 'detected' || detection === 'below' ? (
          <>
            score <strong>{score}</strong> {detection === 'detected' ? '≥' : '<'} {threshold}
          </>
        ) : (
          <>threshold {threshold}</>
        )}
      </EuiText>
    </div>
  );
};

interface Props {
  run: RunProgress;
}

export const JobsTable: React.FC<Props> = ({ run }) => {
  const { links } = useServices();
  const timeRange = runTimeRange(run);
  // Whether "rule not installed" means it: the run got past the rules phase (or stopped) with rules on.
  const rulesSettled = run.request.installRules !== false && (run.state !== 'running' || run.phase === 'readback' || run.phase === 'done');
  const ruleObjectIds = new Map(run.rules.filter((r) => r.id).map((r) => [r.prebuiltRuleId ?? r.ruleId, r.id as string]));

  const columns: EuiBasicTableColumn<JobProgress>[] = [
    {
      field: 'jobId',
      name: 'Job',
      width: '22em',
      render: (_: string, job: JobProgress) => (
        <div>
          <EuiText size="s">
            <strong style={{ wordBreak: 'break-all' }}>{job.jobId}</strong>
          </EuiText>
          <EuiText size="xs" color="subdued">
            {job.moduleId} · <EuiCode transparentBackground>{job.function}</EuiCode>
          </EuiText>
        </div>
      ),
    },
    {
      field: 'state',
      name: 'Status',
      width: '11.5em',
      render: (state: JobProgress['state'], job: JobProgress) => {
        const health = <EuiHealth color={STATE_COLOR[state]}>{STATE_TEXT[state]}</EuiHealth>;
        if (job.error) return <EuiToolTip content={job.error}>{<span tabIndex={0}>{health}</span>}</EuiToolTip>;
        return job.processedUntil ? (
          <div>
            {health}
            <EuiText size="xs" color="subdued">
              to {new Date(job.processedUntil).toISOString().slice(5, 16).replace('T', ' ')}
            </EuiText>
          </div>
        ) : (
          health
        );
      },
    },
    {
      field: 'anomaly',
      name: 'Injected anomaly',
      render: (anomaly: JobProgress['anomaly']) => (
        <div>
          <EuiText size="s">{anomaly.description}</EuiText>
          <EuiText size="xs" color="subdued">
            {Object.entries(anomaly.scope)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')}
            {Object.keys(anomaly.scope).length ? ' · ' : ''}
            value {String(anomaly.value)} · bucket {anomaly.bucketStart.slice(0, 16).replace('T', ' ')}
          </EuiText>
        </div>
      ),
    },
    {
      field: 'maxRecordScore',
      name: (
        <EuiToolTip content="Highest record score in the job's results, against the anomaly threshold of the rule that alerts on it">
          <span>Score / threshold</span>
        </EuiToolTip>
      ),
      width: '12em',
      render: (_: unknown, job: JobProgress) => <Score job={job} />,
    },
    {
      name: 'Links',
      width: '12.5em',
      render: (job: JobProgress) => {
        const ruleObjectId = job.ruleId ? ruleObjectIds.get(job.ruleId) : undefined;
        return (
          <div style={{ whiteSpace: 'nowrap' }}>
            {jobExists(job) && <ExplorerLink jobId={job.jobId} timeRange={timeRange} />}
            {ruleObjectId && (
              <div>
                <EuiLink href={links.rule(ruleObjectId)} aria-label={`Open rule ${job.ruleName ?? job.ruleId}`} data-test-subj={`ruleLink-${job.jobId}`}>
                  Rule
                </EuiLink>
              </div>
            )}
            {!ruleObjectId && job.ruleName && rulesSettled && (
              <EuiBadge color="hollow" title={job.ruleName}>
                rule not installed
              </EuiBadge>
            )}
          </div>
        );
      },
    },
  ];

  return (
    <EuiBasicTable<JobProgress>
      tableCaption={`Jobs of run ${run.runId}`}
      items={run.jobs}
      itemId="jobId"
      columns={columns}
      rowProps={(job) => ({ 'data-test-subj': `jobRow-${job.jobId}` })}
      data-test-subj="jobsTable"
      noItemsMessage="No jobs yet"
    />
  );
};
