import React, { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { EuiProvider } from '@elastic/eui';
import { MODULES } from '../test_helpers/fixtures';
import { ModuleCards, functionCounts } from './module_cards';

function Harness({ initial = [] as string[], onChange = (_: string[]) => undefined }) {
  const [selected, setSelected] = useState(initial);
  return (
    <EuiProvider colorMode="light">
      <ModuleCards
        modules={MODULES.modules}
        selected={selected}
        onChange={(s) => {
          setSelected(s);
          onChange(s);
        }}
      />
    </EuiProvider>
  );
}

describe('ModuleCards', () => {
  it('shows each module with its summary, job count and detector functions', () => {
    render(<Harness />);
    const auth = screen.getByTestId('moduleCard-security_auth');
    expect(within(auth).getByRole('checkbox', { name: 'Security: Authentication' })).toBeTruthy();
    expect(auth.textContent).toContain('Logons and failed logons');
    expect(auth.textContent).toMatch(/3\s*jobs/);
    expect(auth.textContent).toMatch(/2\s*rules/);
    expect(auth.textContent).toContain('logs-ml_demo.auth-default');
    expect(within(auth).getByText('rare ×1')).toBeTruthy();
    expect(within(auth).getByText('time_of_day ×1')).toBeTruthy();
    expect(within(auth).getByText('high_non_zero_count ×1')).toBeTruthy();
    expect(within(auth).getByTestId('moduleInstalled-security_auth').textContent).toBe('1 already installed');
    expect(screen.queryByTestId('moduleInstalled-security_packetbeat')).toBeNull();
  });

  it('selects and deselects modules with their checkboxes (labelled by the module title)', () => {
    const onChange = jest.fn();
    render(<Harness onChange={onChange} />);
    const checkbox = screen.getByRole('checkbox', { name: 'Security: Packetbeat' });
    expect((checkbox as HTMLInputElement).checked).toBe(false);
    fireEvent.click(checkbox);
    expect(onChange).toHaveBeenLastCalledWith(['security_packetbeat']);
    expect((checkbox as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('moduleSelectionSummary').textContent).toBe('1 of 2 modules selected, 2 jobs');
    fireEvent.click(checkbox);
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it('selects all and clears', () => {
    const onChange = jest.fn();
    render(<Harness onChange={onChange} />);
    fireEvent.click(screen.getByTestId('selectAllModules'));
    expect(onChange).toHaveBeenLastCalledWith(['security_auth', 'security_packetbeat']);
    expect(screen.getByTestId('moduleSelectionSummary').textContent).toBe('2 of 2 modules selected, 5 jobs');
    fireEvent.click(screen.getByTestId('selectNoModules'));
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it('counts detector functions, most used first', () => {
    const m = { ...MODULES.modules[0], jobs: [...MODULES.modules[0].jobs, { ...MODULES.modules[0].jobs[0], id: 'x' }] };
    expect(functionCounts(m)).toEqual([
      ['rare', 2],
      ['high_non_zero_count', 1],
      ['time_of_day', 1],
    ]);
  });
});
