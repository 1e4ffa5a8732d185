/** Errors and stopped runs, each as a callout that says what to do next. */
import React from 'react';
import { EuiButton, EuiCallOut, EuiCode, EuiSpacer, EuiText } from '@elastic/eui';
import type { RunProgress } from '../../common/api';
import type { ApiError } from '../api';
import { useServices } from '../services';
import { phaseTitle } from './run_progress';

/** What a user needs to run this tool (Kibana's Security ML setup needs the same). */
const REQUIRED_PRIVILEGES = (
  <ul>
    <li>
      cluster: <EuiCode>manage_ml</EuiCode> (or the <EuiCode>machine_learning_admin</EuiCode> role) and <EuiCode>manage_index_templates</EuiCode>
    </li>
    <li>
      indices <EuiCode>logs-ml_demo.*</EuiCode>: <EuiCode>create_doc</EuiCode>, <EuiCode>create_index</EuiCode>, <EuiCode>manage</EuiCode>, <EuiCode>read</EuiCode>
    </li>
    <li>Kibana, in this space: Machine Learning All and Security Rules All</li>
  </ul>
);

interface ErrorProps {
  error: ApiError;
  /** What failed, e.g. "Could not start the run". */
  title?: string;
  onRetry?(): void;
  onShowRun?(runId?: string): void;
}

export const ApiErrorCallout: React.FC<ErrorProps> = ({ error, title, onRetry, onShowRun }) => {
  const { links } = useServices();
  const retry = onRetry && (
    <>
      <EuiSpacer size="s" />
      <EuiButton size="s" onClick={onRetry} data-test-subj="retryButton">
        Try again
      </EuiButton>
    </>
  );
  switch (error.kind) {
    case 'privileges':
      return (
        <EuiCallOut title="You don't have the privileges to generate demo data" color="danger" iconType="lock" data-test-subj="privilegesCallout">
          <p>{error.message}</p>
          {error.privilege && (
            <p>
              Missing: <EuiCode data-test-subj="missingPrivilege">{error.privilege}</EuiCode>
            </p>
          )}
          <EuiText size="s">
            <p>Ask an administrator for a role with:</p>
            {REQUIRED_PRIVILEGES}
          </EuiText>
          {retry}
        </EuiCallOut>
      );
    case 'license':
      return (
        <EuiCallOut title="Machine learning needs a Platinum or Enterprise licence" color="warning" iconType="warning" data-test-subj="licenseCallout">
          <p>Anomaly detection jobs are not available with the current licence ({error.message}). Start a 30-day trial or upgrade, then come back.</p>
          <EuiButton size="s" href={links.licenseManagement()} data-test-subj="licenseManagementLink">
            Open License Management
          </EuiButton>
        </EuiCallOut>
      );
    case 'ml_unavailable':
      return (
        <EuiCallOut title="Machine learning is not available on this cluster" color="warning" iconType="warning" data-test-subj="mlUnavailableCallout">
          <p>{error.message}</p>
          <p>
            Enable it (<EuiCode>xpack.ml.enabled: true</EuiCode>) and make sure the cluster has a machine learning node, then try again.
          </p>
          {retry}
        </EuiCallOut>
      );
    case 'conflict':
      return (
        <EuiCallOut title="A run is already in progress in this space" color="warning" iconType="clock" data-test-subj="conflictCallout">
          <p>Only one run at a time per space. Follow the running one, or wait for it to finish before starting another.</p>
          {onShowRun && (
            <EuiButton size="s" onClick={() => onShowRun(error.runId)} data-test-subj="showRunningButton">
              Show the running run
            </EuiButton>
          )}
        </EuiCallOut>
      );
    case 'connection':
      return (
        <EuiCallOut title="Cannot reach the server" color="danger" iconType="error" data-test-subj="connectionCallout">
          <p>{error.message}</p>
          <p>Check that Kibana and Elasticsearch are running and reachable, then try again.</p>
          {retry}
        </EuiCallOut>
      );
    default:
      return (
        <EuiCallOut title={title ?? 'Something went wrong'} color="danger" iconType="error" data-test-subj="errorCallout">
          <p>{error.message}</p>
          {retry}
        </EuiCallOut>
      );
  }
};

interface RunProps {
  run: RunProgress;
  cleanup: React.ReactNode;
}

/** interrupted / failed / cancelled runs: what happened, what was created, and Clean up. */
export const StoppedRunCallout: React.FC<RunProps> = ({ run, cleanup }) => {
  const created = run.created;
  const createdCount = created.dataStreams.length + created.jobs.length + created.rules.length + created.indexTemplates.length;
  const what = createdCount
    ? `It had created ${created.dataStreams.length} data streams, ${created.jobs.length} jobs and ${created.rules.length} rules.`
    : 'It had not created anything yet.';
  if (run.state === 'interrupted') {
    return (
      <EuiCallOut title="Kibana restarted while this run was in progress" color="warning" iconType="warning" data-test-subj="interruptedCallout">
        <p>
          The run stopped during “{phaseTitle(run.phase)}” and will not resume. {what} Clean up to remove what it left, then generate again.
        </p>
        {run.cleanupHint && <p>{run.cleanupHint}</p>}
        {cleanup}
      </EuiCallOut>
    );
  }
  if (run.state === 'failed') {
    return (
      <EuiCallOut title={`The run failed during “${phaseTitle(run.phase)}”`} color="danger" iconType="error" data-test-subj="failedCallout">
        {run.errors.length > 0 && (
          <ul>
            {run.errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        )}
        <p>
          {what} {run.cleanupHint ?? 'Clean up, fix the cause and generate again.'}
        </p>
        {cleanup}
      </EuiCallOut>
    );
  }
  if (run.state === 'cancelled') {
    return (
      <EuiCallOut title="The run was cancelled" color="primary" iconType="info" data-test-subj="cancelledCallout">
        <p>
          {what} {createdCount ? 'Clean up to remove it.' : ''}
        </p>
        {createdCount > 0 && cleanup}
      </EuiCallOut>
    );
  }
  return null;
};

/** Notices the server attached to the run (renamed jobs, rules out of look-back…). */
export const NoticesCallout: React.FC<{ notices: string[] }> = ({ notices }) =>
  notices.length ? (
    <>
      <EuiCallOut title="Notes" color="primary" iconType="info" size="s" data-test-subj="noticesCallout">
        <ul>
          {notices.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      </EuiCallOut>
      <EuiSpacer size="m" />
    </>
  ) : null;
