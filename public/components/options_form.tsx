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
import { LIMITS, parseOptionText, type OptionName } from '../../common/options';

export interface OptionsValue {
  historyDays: string;
  seed: string;
  namespace: string;
  enableJobs: boolean;
  installRules: boolean;
  scale: string;
  anomaliesPerJob: string;
  theme: 'acme' | 'globex';
}

export const DEFAULT_OPTIONS: OptionsValue = {
  historyDays: '14',
  seed: 'ml-demo-data',
  namespace: 'default',
  enableJobs: true,
  installRules: true,
  scale: '1',
  anomaliesPerJob: '1',
  theme: 'acme',
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
  if (selectedModules === 0) errors.modules = 'Select at least one module.';
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
          <EuiFormRow id="mlDemoHistoryDays" label="History (days)" helpText="Baseline before the anomalies, 3 to 90 days." isInvalid={!!err('historyDays')} error={err('historyDays')}>
            <EuiFieldNumber
              min={3}
              max={90}
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
            <EuiFormRow id="mlDemoAnomaliesPerJob" label="Anomalies per job" helpText="1 to 10, two hours apart." isInvalid={!!err('anomaliesPerJob')} error={err('anomaliesPerJob')}>
              <EuiFieldNumber
                min={1}
                max={10}
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
            <EuiFormRow id="mlDemoTheme" label="Entity names">
              <EuiSelect
                options={[
                  { value: 'acme', text: 'Acme Corp' },
                  { value: 'globex', text: 'Globex' },
                ]}
                value={value.theme}
                disabled={disabled}
                onChange={(e) => set('theme', e.target.value === 'globex' ? 'globex' : 'acme')}
                data-test-subj="optionTheme"
              />
            </EuiFormRow>
          </EuiFlexItem>
        </EuiFlexGrid>
      </EuiAccordion>
    </>
  );
};
