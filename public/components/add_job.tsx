/**
 * "Add a job": the user's own anomaly detection job, pasted or uploaded as JSON (the body of
 * PUT _ml/anomaly_detectors, Kibana's module job file, or the GET answer) with, optionally, its
 * datafeed. The server checks it (POST ROUTES.validateJob: the same check as a run's and the
 * command line's --job-file) and answers its id, function and bucket span, or one sentence naming
 * what cannot be generated; only checked jobs are added to the run.
 */
import React, { useState } from 'react';
import {
  EuiAccordion,
  EuiBadge,
  EuiBasicTable,
  EuiButton,
  EuiCallOut,
  EuiFilePicker,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormRow,
  EuiSpacer,
  EuiText,
  EuiTextArea,
} from '@elastic/eui';
import type { CustomJobInput, ValidateJobResponse } from '../../common/api';
import { MAX_CUSTOM_JOBS } from '../../common/api';
import { toApiError, type ApiClient } from '../api';

export interface AddedJob {
  input: CustomJobInput;
  info: ValidateJobResponse;
}

interface Props {
  api: Pick<ApiClient, 'validateJob'>;
  jobs: AddedJob[];
  disabled?: boolean;
  onChange(jobs: AddedJob[]): void;
}

/** The JSON object in a text, or the reason it is not one. */
function parseObject(text: string, what: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: `The ${what} must be a JSON object.` };
    return { value: value as Record<string, unknown> };
  } catch (e) {
    return { error: `The ${what} is not JSON: ${(e as Error).message}` };
  }
}

export const AddJob: React.FC<Props> = ({ api, jobs, disabled, onChange }) => {
  const [jobText, setJobText] = useState('');
  const [feedText, setFeedText] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [error, setError] = useState<string>();
  const [checking, setChecking] = useState(false);

  const readFiles = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    setFileName(file.name.replace(/\.json$/i, ''));
    setJobText(await file.text());
    setError(undefined);
  };

  const add = async () => {
    setError(undefined);
    const job = parseObject(jobText, 'job');
    const feed = parseObject(feedText, 'datafeed');
    if (job.error || feed.error) return setError(job.error ?? feed.error);
    if (!job.value) return setError('Paste or upload the job first.');
    if (jobs.length >= MAX_CUSTOM_JOBS) return setError(`A run takes at most ${MAX_CUSTOM_JOBS} of your own jobs.`);
    // A module file has no job_id: it is named after its file, as on the command line.
    const body = typeof job.value.job_id === 'string' || !fileName ? job.value : { ...job.value, job_id: fileName };
    const input: CustomJobInput = feed.value ? { job: body, datafeed: feed.value } : { job: body };
    setChecking(true);
    try {
      const info = await api.validateJob(input);
      if (jobs.some((j) => j.info.id === info.id)) return setError(`A job with id ${info.id} is already added.`);
      onChange([...jobs, { input, info }]);
      setJobText('');
      setFeedText('');
      setFileName(undefined);
    } catch (e) {
      setError(toApiError(e).message.replace(/^\[request body\]: /, ''));
    } finally {
      setChecking(false);
    }
  };

  return (
    <EuiAccordion id="mlDemoAddJob" buttonContent={`Add a job of your own${jobs.length ? ` (${jobs.length})` : ''}`} paddingSize="m" data-test-subj="addJob">
      <EuiText size="s" color="subdued">
        <p>
          Paste or upload an anomaly detection job (the body of <code>PUT _ml/anomaly_detectors</code> or a Kibana module job file) and, optionally, its datafeed. Its data goes to
          its own data stream, <code>logs-ml_demo.custom-&lt;namespace&gt;</code>.
        </p>
      </EuiText>
      <EuiSpacer size="s" />
      <EuiFlexGroup gutterSize="m" wrap>
        <EuiFlexItem>
          <EuiFormRow label="Job (JSON)" fullWidth>
            <EuiTextArea fullWidth rows={6} value={jobText} disabled={disabled} onChange={(e) => setJobText(e.target.value)} data-test-subj="addJobText" aria-label="Job JSON" />
          </EuiFormRow>
          <EuiFilePicker
            accept=".json,application/json"
            initialPromptText="Or upload a job file"
            display="default"
            disabled={disabled}
            onChange={(files) => void readFiles(files)}
            data-test-subj="addJobFile"
          />
        </EuiFlexItem>
        <EuiFlexItem>
          <EuiFormRow label="Datafeed (JSON, optional)" fullWidth helpText="Without one: the job's datafeed_config, else every document.">
            <EuiTextArea fullWidth rows={6} value={feedText} disabled={disabled} onChange={(e) => setFeedText(e.target.value)} data-test-subj="addJobDatafeedText" aria-label="Datafeed JSON" />
          </EuiFormRow>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      {error && (
        <>
          <EuiCallOut color="danger" iconType="error" size="s" title={error} data-test-subj="addJobError" />
          <EuiSpacer size="s" />
        </>
      )}
      <EuiButton size="s" iconType="plusInCircle" onClick={() => void add()} isLoading={checking} isDisabled={disabled} data-test-subj="addJobButton">
        Check and add
      </EuiButton>
      {jobs.length > 0 && (
        <>
          <EuiSpacer size="m" />
          <EuiBasicTable
            tableCaption="Your own jobs"
            items={jobs.map((j) => j.info)}
            rowHeader="id"
            data-test-subj="addedJobs"
            columns={[
              { field: 'id', name: 'Job' },
              { field: 'function', name: 'Function', render: (fn: string) => <EuiBadge color="hollow">{fn}</EuiBadge> },
              { field: 'bucketSpan', name: 'Bucket span' },
              { field: 'fields', name: 'Fields', render: (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join(', ') },
              {
                name: 'Remove',
                actions: [
                  {
                    name: 'Remove',
                    description: 'Remove this job from the run',
                    icon: 'trash',
                    type: 'icon',
                    color: 'danger',
                    enabled: () => !disabled,
                    onClick: (item: ValidateJobResponse) => onChange(jobs.filter((j) => j.info.id !== item.id)),
                    'data-test-subj': 'removeAddedJob',
                  },
                ],
              },
            ]}
          />
        </>
      )}
    </EuiAccordion>
  );
};
