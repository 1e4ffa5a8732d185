/** Generation options, checked by the same schema as the server's StartRunRequest codec (common/options.ts). */
import React from 'react';
import {
  EuiAccordion,
  EuiFieldNumber,
  EuiFieldText,
  EuiFlexGrid,
  EuiFlexItem,
  EuiFormRow,
  EuiSelect,
  EuiSpacer,
  EuiSwitch,
} from '@elastic/eui';
import type { StartRunRequest } from '../../common/api';
import { DEFAULT_OPTIONS as SCHEMA_DEFAULTS, LIMITS, parseOptionText, THEME_NAMES, type OptionName } from '../../common/options';

export interface OptionsValue {
  historyDays: string;
  seed: string;
  namespace: string;
  enableJobs: boolean;
  installRules: boolean;
  scale: string;
  anomaliesPerJob: string;
  theme: ThemeName;
  /** The anomalies as one intrusion over about the last day (common/options.ts TIMELINE_STAGES). */
  timeline: boolean;
}

type ThemeName = (typeof THEME_NAMES)[number];
/** The schema's themes (common/options.ts) as the page names them: a new theme without a label does not compile. */
const THEME_LABELS: Record<ThemeName, string> = { acme: 'Acme Corp', globex: 'Globex' };

/** The schema's defaults (common/options.ts), as the form's text fields hold them. */
export const DEFAULT_OPTIONS: OptionsValue = {
  historyDays: String(SCHEMA_DEFAULTS.historyDays),
  seed: SCHEMA_DEFAULTS.seed,
  namespace: SCHEMA_DEFAULTS.namespace,
  enableJobs: true,
  installRules: true,
  scale: String(SCHEMA_DEFAULTS.scale),
  anomaliesPerJob: String(SCHEMA_DEFAULTS.anomaliesPerJob),
  theme: SCHEMA_DEFAULTS.theme,
  timeline: SCHEMA_DEFAULTS.timeline,
};

export type OptionErrors = Partial<Record<keyof OptionsValue | 'modules', string>>;

/** Whether the text passes the one options schema's check (common/options.ts), as the server will check it. */
const passes = (name: OptionName, text: string) => {
  try {
    parseOptionText(name, text);
    return true;
  } catch {
    return false;
  }
};

/** Field errors (empty object: valid). Validity is the schema's; the wording is for the page. */
export function validateOptions(v: OptionsValue, selectedModules: number): OptionErrors {
  const errors: OptionErrors = {};
  const { historyDays, scale, anomaliesPerJob } = LIMITS;
  if (selectedModules === 0) errors.modules = 'Select at least one module (or add a job of your own).';
  if (!passes('historyDays', v.historyDays)) errors.historyDays = `A whole number of days from ${historyDays.min} to ${historyDays.max}: the jobs need days of history to learn.`;
  if (!passes('seed', v.seed)) errors.seed = '1 to 64 letters, digits, _ . or -.';
  if (!passes('namespace', v.namespace)) errors.namespace = 'Lowercase letters, digits and _ only (a data stream namespace).';
  if (!passes('scale', v.scale)) errors.scale = `A number from ${scale.min} to ${scale.max}: smaller scales give the jobs too few events to learn.`;
  if (!passes('anomaliesPerJob', v.anomaliesPerJob)) errors.anomaliesPerJob = `A whole number from ${anomaliesPerJob.min} to ${anomaliesPerJob.max}.`;
  return errors;
}

export function toStartRunRequest(v: OptionsValue, modules: string[]): Partial<StartRunRequest> {
  return {
    modules,
    historyDays: Number(v.historyDays),
    seed: v.seed,
    namespace: v.namespace,
    enableJobs: v.enableJobs,
    installRules: v.enableJobs && v.installRules,
    scale: Number(v.scale),
    anomaliesPerJob: Number(v.anomaliesPerJob),
    theme: v.theme,
    timeline: v.timeline,
  };
}

interface Props {
  value: OptionsValue;
  errors: OptionErrors;
  /** Show errors only after the user tried to generate or touched the field. */
  showErrors: boolean;
  disabled?: boolean;
  onChange(value: OptionsValue): void;
}

export const OptionsForm: React.FC<Props> = ({ value, errors, showErrors, disabled, onChange }) => {
  const set = <K extends keyof OptionsValue>(key: K, v: OptionsValue[K]) => onChange({ ...value, [key]: v });
  const err = (key: keyof OptionsValue) => (showErrors ? errors[key] : undefined);
  return (
    <>
      <EuiFlexGrid columns={3} gutterSize="m">
        <EuiFlexItem>
          <EuiFormRow id="mlDemoHistoryDays" label="History (days)" helpText={`Baseline before the anomalies, ${LIMITS.historyDays.min} to ${LIMITS.historyDays.max} days.`} isInvalid={!!err('historyDays')} error={err('historyDays')}>
            <EuiFieldNumber
              min={LIMITS.historyDays.min}
              max={LIMITS.historyDays.max}
              step={1}
              value={value.historyDays}
              isInvalid={!!err('historyDays')}
              disabled={disabled}
              onChange={(e) => set('historyDays', e.target.value)}
              data-test-subj="optionHistoryDays"
            />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem>
          <EuiFormRow id="mlDemoSeed" label="Seed" helpText="Same seed and options: the same data." isInvalid={!!err('seed')} error={err('seed')}>
            <EuiFieldText value={value.seed} isInvalid={!!err('seed')} disabled={disabled} onChange={(e) => set('seed', e.target.value)} data-test-subj="optionSeed" />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem>
          <EuiFormRow
            id="mlDemoNamespace"
            label="Namespace"
            helpText={
              <>
                Data streams <code>logs-ml_demo.*-{value.namespace || '…'}</code>
              </>
            }
            isInvalid={!!err('namespace')}
            error={err('namespace')}
          >
            <EuiFieldText value={value.namespace} isInvalid={!!err('namespace')} disabled={disabled} onChange={(e) => set('namespace', e.target.value)} data-test-subj="optionNamespace" />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem>
          <EuiFormRow id="mlDemoEnableJobs" hasEmptyLabelSpace helpText="Create the modules' ML jobs and run their datafeeds over the data.">
            <EuiSwitch
              label="Create and start the ML jobs"
              labelProps={{ id: 'mlDemoEnableJobsLabel' }}
              checked={value.enableJobs}
              disabled={disabled}
              onChange={(e) => set('enableJobs', e.target.checked)}
              data-test-subj="optionEnableJobs"
            />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem>
          <EuiFormRow id="mlDemoInstallRules" hasEmptyLabelSpace helpText={value.enableJobs ? 'Install and enable the prebuilt ML detection rules that alert on these jobs.' : 'The rules need the jobs.'}>
            <EuiSwitch
              label="Install the detection rules"
              labelProps={{ id: 'mlDemoInstallRulesLabel' }}
              checked={value.enableJobs && value.installRules}
              disabled={disabled || !value.enableJobs}
              onChange={(e) => set('installRules', e.target.checked)}
              data-test-subj="optionInstallRules"
            />
          </EuiFormRow>
        </EuiFlexItem>
      </EuiFlexGrid>
      <EuiSpacer size="m" />
      <EuiAccordion id="mlDemoAdvancedOptions" buttonContent="Advanced options" paddingSize="m" data-test-subj="advancedOptions">
        <EuiFlexGrid columns={3} gutterSize="m">
          <EuiFlexItem>
            <EuiFormRow id="mlDemoScale" label="Scale" helpText="Multiplies baseline events per bucket." isInvalid={!!err('scale')} error={err('scale')}>
              <EuiFieldNumber min={LIMITS.scale.min} max={LIMITS.scale.max} step={0.5} value={value.scale} isInvalid={!!err('scale')} disabled={disabled} onChange={(e) => set('scale', e.target.value)} data-test-subj="optionScale" />
            </EuiFormRow>
          </EuiFlexItem>
          <EuiFlexItem>
            <EuiFormRow id="mlDemoAnomaliesPerJob" label="Anomalies per job" helpText={`${LIMITS.anomaliesPerJob.min} to ${LIMITS.anomaliesPerJob.max}, two hours apart.`} isInvalid={!!err('anomaliesPerJob')} error={err('anomaliesPerJob')}>
              <EuiFieldNumber
                min={LIMITS.anomaliesPerJob.min}
                max={LIMITS.anomaliesPerJob.max}
                step={1}
                value={value.anomaliesPerJob}
                isInvalid={!!err('anomaliesPerJob')}
                disabled={disabled}
                onChange={(e) => set('anomaliesPerJob', e.target.value)}
                data-test-subj="optionAnomaliesPerJob"
              />
            </EuiFormRow>
          </EuiFlexItem>
          <EuiFlexItem>
            <EuiFormRow
              id="mlDemoTimeline"
              hasEmptyLabelSpace
              helpText="Reconnaissance, access, execution, exfiltration over about the last day; older anomalies alert through a manual rule run (Kibana 8.16+)."
            >
              <EuiSwitch
                label="Tell the anomalies as a timeline"
                labelProps={{ id: 'mlDemoTimelineLabel' }}
                checked={value.timeline}
                disabled={disabled}
                onChange={(e) => set('timeline', e.target.checked)}
                data-test-subj="optionTimeline"
              />
            </EuiFormRow>
          </EuiFlexItem>
          <EuiFlexItem>
            <EuiFormRow id="mlDemoTheme" label="Entity names">
              <EuiSelect
                options={THEME_NAMES.map((name) => ({ value: name, text: THEME_LABELS[name] }))}
                value={value.theme}
                disabled={disabled}
                onChange={(e) => set('theme', THEME_NAMES.find((name) => name === e.target.value) ?? value.theme)}
                data-test-subj="optionTheme"
              />
            </EuiFormRow>
          </EuiFlexItem>
        </EuiFlexGrid>
      </EuiAccordion>
    </>
  );
};
