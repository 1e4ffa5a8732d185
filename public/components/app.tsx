/** The "Generate ML demo data" page. */
import React, { useCallback, useEffect, useRef, useState } from 'react';
import {
  EuiButton,
  EuiButtonEmpty,
  EuiEmptyPrompt,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormErrorText,
  EuiPageTemplate,
  EuiPanel,
  EuiSkeletonText,
  EuiSpacer,
  EuiText,
  EuiTitle,
} from '@elastic/eui';
import type { ModulesResponse, RunProgress } from '../../common/api';
import { toApiError, type ApiError } from '../api';
import { useServices } from '../services';
import { useRun } from '../use_run';
import { ApiErrorCallout, NoticesCallout, StoppedRunCallout } from './callouts';
import { AddJob, type AddedJob } from './add_job';
import { CleanupButton } from './cleanup';
import { JobsTable } from './jobs_table';
import { LiveSwitch } from './live_switch';
import { ModuleCards } from './module_cards';
import { DEFAULT_OPTIONS, OptionsForm, toStartRunRequest, validateOptions, type OptionsValue } from './options_form';
import { RunLinks } from './run_links';
import { RunProgressPanel } from './run_progress';

function optionsFromRun(run: RunProgress): OptionsValue {
  const r = run.request;
  const str = (v: unknown, d: string) => (v === undefined ? d : String(v));
  return {
    historyDays: str(r.historyDays, DEFAULT_OPTIONS.historyDays),
    seed: r.seed ?? DEFAULT_OPTIONS.seed,
    namespace: r.namespace ?? DEFAULT_OPTIONS.namespace,
    enableJobs: r.enableJobs ?? true,
    installRules: r.installRules ?? true,
    scale: str(r.scale, DEFAULT_OPTIONS.scale),
    anomaliesPerJob: str(r.anomaliesPerJob, DEFAULT_OPTIONS.anomaliesPerJob),
    theme: r.theme ?? DEFAULT_OPTIONS.theme,
    timeline: r.timeline ?? DEFAULT_OPTIONS.timeline,
  };
}

const Panel: React.FC<{ title: string; children: React.ReactNode; 'data-test-subj'?: string; headingId?: string }> = ({
  title,
  children,
  headingId,
  ...rest
}) => (
  <EuiPanel hasBorder paddingSize="l" data-test-subj={rest['data-test-subj']} aria-labelledby={headingId} role="region">
    <EuiTitle size="s">
      <h2 id={headingId}>{title}</h2>
    </EuiTitle>
    <EuiSpacer size="m" />
    {children}
  </EuiPanel>
);

export const MlDemoDataApp: React.FC = () => {
  const { api, toasts, space, pollMs } = useServices();
  const runState = useRun(api, pollMs);
  const { run } = runState;
  const [modules, setModules] = useState<ModulesResponse>();
  const [modulesError, setModulesError] = useState<ApiError>();
  const [selected, setSelected] = useState<string[]>([]);
  const [customJobs, setCustomJobs] = useState<AddedJob[]>([]);
  const [options, setOptions] = useState<OptionsValue>(DEFAULT_OPTIONS);
  const [submitted, setSubmitted] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError>();
  const [hiddenRunId, setHiddenRunId] = useState<string>();
  const restoredFrom = useRef<string>();
  const generateButton = useRef<HTMLButtonElement | null>(null);

  const loadModules = useCallback(async () => {
    setModulesError(undefined);
    try {
      const res = await api.getModules();
      setModules(res);
      setSelected((s) => (s.length ? s : res.modules.map((m) => m.id)));
    } catch (e) {
      setModulesError(toApiError(e));
    }
  }, [api]);

  useEffect(() => {
    void loadModules();
  }, [loadModules]);

  // After a reload, the form shows the options of the space's latest run.
  useEffect(() => {
    if (run && restoredFrom.current !== run.runId && !starting) {
      restoredFrom.current = run.runId;
      setOptions(optionsFromRun(run));
      if (run.request.modules?.length) setSelected(run.request.modules);
    }
  }, [run, starting]);

  const visibleRun = run && run.runId !== hiddenRunId ? run : null;
  const running = visibleRun?.state === 'running';
  const errors = validateOptions(options, selected.length + customJobs.length);
  const valid = Object.keys(errors).length === 0;

  const generate = async () => {
    setSubmitted(true);
    setStartError(undefined);
    if (!valid) return;
    setStarting(true);
    try {
      const request = toStartRunRequest(options, selected);
      // Only the user's own jobs: no module is chosen (the schema refuses an empty list).
      if (!selected.length) delete request.modules;
      if (customJobs.length) request.customJobs = customJobs.map((j) => j.input);
      const next = await api.startRun(request);
      restoredFrom.current = next.runId;
      setHiddenRunId(undefined);
      runState.setRun(next);
      setSubmitted(false);
    } catch (e) {
      setStartError(toApiError(e));
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    if (!visibleRun) return;
    try {
      await api.cancelRun(visibleRun.runId);
      toasts.addSuccess('Cancelling the run…');
    } catch (e) {
      toasts.addDanger({ title: 'Could not cancel the run', text: toApiError(e).message });
    }
  };

  const namespace = visibleRun?.request.namespace ?? options.namespace;
  const afterCleanup = () => {
    if (visibleRun) setHiddenRunId(visibleRun.runId);
    void loadModules();
  };
  const cleanupButton = (fill?: boolean) => <CleanupButton namespace={namespace} disabled={running} fill={fill} onDone={afterCleanup} />;

  const stopped = visibleRun && (visibleRun.state === 'interrupted' || visibleRun.state === 'failed' || visibleRun.state === 'cancelled');

  return (
    <EuiPageTemplate restrictWidth={1400} panelled={false} grow data-test-subj="mlDemoDataPage">
      <EuiPageTemplate.Header
        pageTitle="Generate ML demo data"
        iconType="machineLearningApp"
        description={
          <>
            Generates ECS events that the Security ML jobs read, with a learnable baseline and one anomaly per job shaped for its detector, then creates the
            jobs and the detection rules that alert on them{space !== 'default' ? ` in space ${space}` : ''}.
          </>
        }
        rightSideItems={[cleanupButton()]}
      />
      <EuiPageTemplate.Section>
        {runState.loadError && (
          <>
            <ApiErrorCallout error={runState.loadError} title="Could not load the latest run" onRetry={() => void runState.reload()} />
            <EuiSpacer size="m" />
          </>
        )}
        {runState.loading && !visibleRun && <EuiSkeletonText lines={2} aria-label="Loading the latest run" />}
        {visibleRun && (
          <>
            <Panel title={running ? 'Generating…' : 'Latest run'} data-test-subj="runPanel" headingId="mlDemoRunHeading">
              {stopped && (
                <>
                  <StoppedRunCallout run={visibleRun} cleanup={cleanupButton(true)} />
                  <EuiSpacer size="m" />
                </>
              )}
              {runState.pollError && (
                <>
                  <ApiErrorCallout error={runState.pollError} title="Lost contact with the run (still trying)" />
                  <EuiSpacer size="m" />
                </>
              )}
              <NoticesCallout notices={visibleRun.notices} />
              <RunProgressPanel run={visibleRun} />
              <EuiSpacer size="l" />
              <EuiFlexGroup justifyContent="spaceBetween" alignItems="center" wrap responsive={false}>
                <EuiFlexItem grow={false}>
                  <RunLinks run={visibleRun} />
                </EuiFlexItem>
                {running && (
                  <EuiFlexItem grow={false}>
                    <EuiButtonEmpty color="danger" iconType="stop" onClick={cancel} data-test-subj="cancelRunButton">
                      Cancel run
                    </EuiButtonEmpty>
                  </EuiFlexItem>
                )}
              </EuiFlexGroup>
              {visibleRun.state === 'succeeded' && visibleRun.request.enableJobs !== false && (
                <>
                  <EuiSpacer size="m" />
                  <LiveSwitch namespace={namespace} />
                </>
              )}
              <EuiSpacer size="m" />
              <JobsTable run={visibleRun} />
            </Panel>
            <EuiSpacer size="l" />
          </>
        )}

        <Panel title="Modules" data-test-subj="modulesPanel" headingId="mlDemoModulesHeading">
          {modulesError && <ApiErrorCallout error={modulesError} title="Could not load the modules" onRetry={() => void loadModules()} />}
          {!modules && !modulesError && <EuiSkeletonText lines={4} aria-label="Loading modules" />}
          {modules && modules.modules.length === 0 && (
            <EuiEmptyPrompt
              iconType="machineLearningApp"
              title={<h3>No Security ML modules available</h3>}
              body={
                <p>
                  This stack offers none of the Security ML modules this tool generates data for. Check that the Machine Learning plugin is enabled in this
                  space.
                </p>
              }
              data-test-subj="noModules"
            />
          )}
          {modules && modules.modules.length > 0 && (
            <ModuleCards modules={modules.modules} selected={selected} disabled={running || starting} onChange={setSelected} />
          )}
          {modules && (
            <>
              <EuiSpacer size="m" />
              <AddJob api={api} jobs={customJobs} disabled={running || starting} onChange={setCustomJobs} />
            </>
          )}
          {submitted && errors.modules && <EuiFormErrorText data-test-subj="modulesError">{errors.modules}</EuiFormErrorText>}
        </Panel>
        <EuiSpacer size="l" />
        <Panel title="Options" data-test-subj="optionsPanel" headingId="mlDemoOptionsHeading">
          <OptionsForm value={options} errors={errors} showErrors={submitted} disabled={running || starting} onChange={setOptions} />
          <EuiSpacer size="l" />
          {startError && (
            <>
              <ApiErrorCallout
                error={startError}
                title="Could not start the run"
                onRetry={generate}
                onShowRun={(id) => void runState.attach(id).then(() => setStartError(undefined))}
              />
              <EuiSpacer size="m" />
            </>
          )}
          <EuiFlexGroup alignItems="center" gutterSize="m" responsive={false}>
            <EuiFlexItem grow={false}>
              <EuiButton
                fill
                iconType="play"
                onClick={generate}
                isLoading={starting}
                isDisabled={running || !modules}
                buttonRef={generateButton}
                data-test-subj="generateButton"
              >
                Generate
              </EuiButton>
            </EuiFlexItem>
            <EuiFlexItem>
              <EuiText size="s" color={submitted && !valid ? 'danger' : 'subdued'} data-test-subj="generateHint">
                {running
                  ? 'A run is in progress.'
                  : submitted && !valid
                    ? 'Fix the fields marked above.'
                    : `${selected.length} ${selected.length === 1 ? 'module' : 'modules'}${customJobs.length ? ` and ${customJobs.length} of your own ${customJobs.length === 1 ? 'job' : 'jobs'}` : ''}, ${options.historyDays} days of history, namespace ${options.namespace}.`}
              </EuiText>
            </EuiFlexItem>
          </EuiFlexGroup>
        </Panel>
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
};
