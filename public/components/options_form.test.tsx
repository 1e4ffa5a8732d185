import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { EuiProvider } from '@elastic/eui';
import { DEFAULT_OPTIONS, OptionsForm, toStartRunRequest, validateOptions, type OptionsValue } from './options_form';
import { StartRunRequest, decode } from '../../common/api';

function Harness({ showErrors = true, initial = DEFAULT_OPTIONS }: { showErrors?: boolean; initial?: OptionsValue }) {
  const [value, setValue] = useState(initial);
  return (
    <EuiProvider colorMode="light">
      <OptionsForm value={value} errors={validateOptions(value, 1)} showErrors={showErrors} onChange={setValue} />
      <output data-test-subj="state">{JSON.stringify(value)}</output>
    </EuiProvider>
  );
}

const state = () => JSON.parse(screen.getByTestId('state').textContent ?? '{}') as OptionsValue;

describe('validateOptions', () => {
  it('accepts the defaults', () => {
    expect(validateOptions(DEFAULT_OPTIONS, 2)).toEqual({});
  });
  it('applies the server codec bounds', () => {
    const errors = validateOptions({ ...DEFAULT_OPTIONS, historyDays: '2', seed: 'has space', namespace: 'Bad-NS', scale: '0', anomaliesPerJob: '11' }, 0);
    expect(Object.keys(errors).sort()).toEqual(['anomaliesPerJob', 'historyDays', 'modules', 'namespace', 'scale', 'seed']);
    expect(validateOptions({ ...DEFAULT_OPTIONS, historyDays: '90' }, 1)).toEqual({});
    expect(validateOptions({ ...DEFAULT_OPTIONS, historyDays: '91' }, 1).historyDays).toMatch(/3 to 90/);
    expect(validateOptions({ ...DEFAULT_OPTIONS, historyDays: '7.5' }, 1).historyDays).toBeDefined();
    expect(validateOptions({ ...DEFAULT_OPTIONS, historyDays: '' }, 1).historyDays).toBeDefined();
  });
  it('refuses what the server refuses (issue 10: one schema)', () => {
    for (const historyDays of ['3.5', '0x5', '1e1', ' 3']) expect(validateOptions({ ...DEFAULT_OPTIONS, historyDays }, 1).historyDays).toBeDefined();
    for (const scale of ['1e-9', '0.5', '0', '101']) expect(validateOptions({ ...DEFAULT_OPTIONS, scale }, 1).scale).toMatch(/from 1 to 100/);
    expect(validateOptions({ ...DEFAULT_OPTIONS, scale: '2.5' }, 1)).toEqual({});
  });
  it('builds a body the server codec accepts', () => {
    const body = toStartRunRequest({ ...DEFAULT_OPTIONS, historyDays: '21', enableJobs: false, installRules: true }, ['security_auth']);
    expect(body).toEqual({ modules: ['security_auth'], historyDays: 21, seed: 'ml-demo-data', namespace: 'default', enableJobs: false, installRules: false, scale: 1, anomaliesPerJob: 1, theme: 'acme', timeline: false });
    expect(decode(StartRunRequest, body)).toEqual({ ok: true, value: body });
  });
  it('sends the timeline switch as the schema names it', () => {
    const body = toStartRunRequest({ ...DEFAULT_OPTIONS, timeline: true }, ['security_auth']);
    expect(body.timeline).toBe(true);
    expect(decode(StartRunRequest, body)).toEqual({ ok: true, value: body });
  });
});

describe('OptionsForm', () => {
  it('labels every field', () => {
    render(<Harness />);
    for (const label of ['History (days)', 'Seed', 'Namespace', 'Create and start the ML jobs', 'Install the detection rules']) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
  });

  it('turns the timeline on from the advanced options', () => {
    render(<Harness />);
    fireEvent.click(screen.getByText('Advanced options'));
    const timeline = screen.getByLabelText('Tell the anomalies as a timeline') as HTMLButtonElement;
    expect(timeline.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(timeline);
    expect(state().timeline).toBe(true);
  });

  it('shows a field error and marks the field invalid', () => {
    render(<Harness />);
    const days = screen.getByLabelText('History (days)') as HTMLInputElement;
    fireEvent.change(days, { target: { value: '2' } });
    expect(state().historyDays).toBe('2');
    expect(screen.getByText(/A whole number of days from 3 to 90/)).toBeTruthy();
    expect(days.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(screen.getByLabelText('Namespace'), { target: { value: 'Prod' } });
    expect(screen.getByText(/Lowercase letters, digits and _ only/)).toBeTruthy();
  });

  it('hides errors until asked', () => {
    render(<Harness showErrors={false} initial={{ ...DEFAULT_OPTIONS, seed: '' }} />);
    expect(screen.queryByText(/1 to 64 letters/)).toBeNull();
  });

  it('disables the rules switch when the jobs are off (the rules need the jobs)', () => {
    render(<Harness />);
    const rules = screen.getByRole('switch', { name: 'Install the detection rules' });
    expect(rules.getAttribute('aria-checked')).toBe('true');
    fireEvent.click(screen.getByRole('switch', { name: 'Create and start the ML jobs' }));
    expect(state().enableJobs).toBe(false);
    expect((rules as HTMLButtonElement).disabled).toBe(true);
    expect(rules.getAttribute('aria-checked')).toBe('false');
    expect(screen.getByText('The rules need the jobs.')).toBeTruthy();
  });
});
