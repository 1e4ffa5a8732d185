/** One selectable card per Security ML module: what data it fakes, its jobs and their detector functions. */
import React from 'react';
import {
  EuiBadge,
  EuiButtonEmpty,
  EuiCheckableCard,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFlexGrid,
  EuiScreenReaderOnly,
  EuiSpacer,
  EuiText,
  EuiTitle,
  useGeneratedHtmlId,
} from '@elastic/eui';
import type { ModulesResponse } from '../../common/api';

export type ModuleInfo = ModulesResponse['modules'][number];

/** Detector functions of a module's jobs with how many jobs use each, most used first. */
export function functionCounts(module: ModuleInfo): [string, number][] {
  const counts = new Map<string, number>();
  for (const job of module.jobs) counts.set(job.function, (counts.get(job.function) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

interface CardProps {
  module: ModuleInfo;
  checked: boolean;
  disabled?: boolean;
  onToggle(id: string): void;
}

const ModuleCard: React.FC<CardProps> = ({ module, checked, disabled, onToggle }) => {
  const id = useGeneratedHtmlId({ prefix: `module-${module.id}` });
  const installed = module.jobs.filter((j) => j.installed).length;
  const rules = new Set(module.jobs.flatMap((j) => j.ruleIds)).size;
  return (
    <div data-test-subj={`moduleCard-${module.id}`} style={{ height: '100%' }}>
      <EuiCheckableCard
        id={id}
        checkableType="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={() => onToggle(module.id)}
        aria-describedby={`${id}-summary`}
        css={{ height: '100%' }}
        label={
          // A label may only hold phrasing content: the title is styled as one, not a heading.
          <EuiTitle size="xs">
            <span>{module.title}</span>
          </EuiTitle>
        }
      >
        <div id={`${id}-summary`}>
          <EuiText size="s" color="subdued">
            <p>{module.summary || module.description}</p>
          </EuiText>
          <EuiSpacer size="s" />
          <EuiText size="xs">
            <p>
              <strong>{module.jobs.length}</strong> {module.jobs.length === 1 ? 'job' : 'jobs'}
              {rules > 0 && (
                <>
                  {' · '}
                  <strong>{rules}</strong> {rules === 1 ? 'rule' : 'rules'}
                </>
              )}
              {' · '}
              data stream <code>{module.dataStream}</code>
            </p>
          </EuiText>
          <EuiSpacer size="xs" />
          <EuiFlexGroup gutterSize="xs" wrap responsive={false}>
            {functionCounts(module).map(([fn, n]) => (
              <EuiFlexItem grow={false} key={fn}>
                <EuiBadge color="hollow" title={`${n} ${n === 1 ? 'job uses' : 'jobs use'} the ${fn} detector function`}>
                  {fn} ×{n}
                </EuiBadge>
              </EuiFlexItem>
            ))}
            {installed > 0 && (
              <EuiFlexItem grow={false}>
                <EuiBadge color="warning" data-test-subj={`moduleInstalled-${module.id}`}>
                  {installed} already installed
                </EuiBadge>
              </EuiFlexItem>
            )}
          </EuiFlexGroup>
        </div>
      </EuiCheckableCard>
    </div>
  );
};

interface Props {
  modules: ModuleInfo[];
  selected: string[];
  disabled?: boolean;
  onChange(selected: string[]): void;
}

export const ModuleCards: React.FC<Props> = ({ modules, selected, disabled, onChange }) => {
  const toggle = (id: string) => onChange(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  const jobs = modules.filter((m) => selected.includes(m.id)).reduce((n, m) => n + m.jobs.length, 0);
  return (
    <fieldset aria-describedby="mlDemoModulesSelection" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <EuiScreenReaderOnly>
        <legend>Modules to generate data for</legend>
      </EuiScreenReaderOnly>
      <EuiFlexGroup alignItems="center" justifyContent="spaceBetween" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiText size="s" id="mlDemoModulesSelection" data-test-subj="moduleSelectionSummary">
            <p>
              {selected.length} of {modules.length} modules selected, {jobs} {jobs === 1 ? 'job' : 'jobs'}
            </p>
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiFlexGroup gutterSize="s" responsive={false}>
            <EuiButtonEmpty size="s" onClick={() => onChange(modules.map((m) => m.id))} isDisabled={disabled || selected.length === modules.length} data-test-subj="selectAllModules">
              Select all
            </EuiButtonEmpty>
            <EuiButtonEmpty size="s" onClick={() => onChange([])} isDisabled={disabled || selected.length === 0} data-test-subj="selectNoModules">
              Clear
            </EuiButtonEmpty>
          </EuiFlexGroup>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      <EuiFlexGrid columns={3} gutterSize="m">
        {modules.map((m) => (
          <EuiFlexItem key={m.id}>
            <ModuleCard module={m} checked={selected.includes(m.id)} disabled={disabled} onToggle={toggle} />
          </EuiFlexItem>
        ))}
      </EuiFlexGrid>
    </fieldset>
  );
};
