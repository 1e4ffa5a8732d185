/** The run's two headline links: all its jobs in Anomaly Explorer, and the alerts of its rules. */
import React from 'react';
import { EuiButton, EuiFlexGroup, EuiFlexItem } from '@elastic/eui';
import type { RunProgress } from '../../common/api';
import { alertsTimeRange } from '../../common/links';
import { useExplorerUrl, useServices } from '../services';
import { jobExists, runTimeRange } from './jobs_table';

/** Jobs that exist in the stack after this run (created now or before). */
export function runJobIds(run: RunProgress): string[] {
  return run.jobs.filter(jobExists).map((j) => j.jobId);
}

/** rule_ids of the rules this run installed, enabled or found. */
export function runRuleIds(run: RunProgress): string[] {
  return run.rules.filter((r) => r.state !== 'failed' && r.state !== 'pending').map((r) => r.ruleId);
}

export const RunLinks: React.FC<{ run: RunProgress }> = ({ run }) => {
  const { links } = useServices();
  const jobIds = runJobIds(run);
  const ruleIds = runRuleIds(run);
  const explorerUrl = useExplorerUrl(jobIds, runTimeRange(run));
  if (!explorerUrl && ruleIds.length === 0) return null;
  return (
    <EuiFlexGroup gutterSize="s" wrap responsive={false}>
      {explorerUrl && (
        <EuiFlexItem grow={false}>
          <EuiButton href={explorerUrl} iconType="machineLearningApp" fill data-test-subj="explorerAllLink">
            Open {jobIds.length} {jobIds.length === 1 ? 'job' : 'jobs'} in Anomaly Explorer
          </EuiButton>
        </EuiFlexItem>
      )}
      {ruleIds.length > 0 && (
        <EuiFlexItem grow={false}>
          <EuiButton href={links.alerts(ruleIds, alertsTimeRange(run.startedAt))} iconType="securityApp" data-test-subj="alertsLink">
            View alerts of the {ruleIds.length} {ruleIds.length === 1 ? 'rule' : 'rules'}
          </EuiButton>
        </EuiFlexItem>
      )}
    </EuiFlexGroup>
  );
};
