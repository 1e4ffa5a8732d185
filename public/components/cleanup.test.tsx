import React from 'react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { API_VERSION, ROUTES } from '../../common/constants';
import { FakeHttpError, fakeCore, renderWithServices } from '../test_helpers/render';
import { CleanupButton, cleanupSummary } from './cleanup';

const REPORT = { dataStreams: ['logs-ml_demo.auth-demo'], indexTemplates: ['ml-demo-data-demo'], jobs: ['auth_rare_user', 'auth_rare_hour_for_a_user'], datafeeds: ['datafeed-auth_rare_user'], rules: ['r1'], errors: [] };

describe('CleanupButton', () => {
  it('asks first, naming what goes, and does nothing on cancel', () => {
    const fake = fakeCore({ [`POST ${ROUTES.cleanup}`]: REPORT });
    const onDone = jest.fn();
    renderWithServices(<CleanupButton namespace="demo" onDone={onDone} />, fake.core);
    fireEvent.click(screen.getByTestId('cleanupButton'));
    const modal = screen.getByTestId('cleanupConfirm');
    expect(screen.getByRole('alertdialog', { name: 'Remove the demo data?' })).toBeTruthy();
    expect(modal.textContent).toContain('logs-ml_demo.*-demo');
    expect(modal.textContent).toContain('ml-demo-data-demo');
    expect(modal.textContent).toContain('ML Demo Data');
    fireEvent.click(screen.getByText('Keep it'));
    expect(screen.queryByTestId('cleanupConfirm')).toBeNull();
    expect(fake.calls).toEqual([]);
    expect(onDone).not.toHaveBeenCalled();
  });

  it('posts the namespace with the API version on confirm and reports what was removed', async () => {
    const fake = fakeCore({ [`POST ${ROUTES.cleanup}`]: REPORT });
    const onDone = jest.fn();
    renderWithServices(<CleanupButton namespace="demo" onDone={onDone} />, fake.core);
    fireEvent.click(screen.getByTestId('cleanupButton'));
    fireEvent.click(screen.getByText('Remove demo data'));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(REPORT));
    expect(fake.calls).toEqual([{ method: 'POST', path: ROUTES.cleanup, options: { version: API_VERSION, body: JSON.stringify({ namespace: 'demo' }) } }]);
    expect(fake.toasts.addSuccess).toHaveBeenCalledWith(expect.objectContaining({ title: 'Demo data removed', text: 'Removed 1 data stream, 2 jobs, 1 datafeed, 1 rule, 1 index template.' }));
    expect(screen.queryByTestId('cleanupConfirm')).toBeNull();
  });

  it('keeps the modal and shows a danger toast when clean up fails', async () => {
    const fake = fakeCore({ [`POST ${ROUTES.cleanup}`]: new FakeHttpError({ statusCode: 403, message: 'not allowed' }) });
    renderWithServices(<CleanupButton namespace="default" onDone={jest.fn()} />, fake.core);
    fireEvent.click(screen.getByTestId('cleanupButton'));
    fireEvent.click(screen.getByText('Remove demo data'));
    await waitFor(() => expect(fake.toasts.addDanger).toHaveBeenCalledWith({ title: 'Clean up failed', text: 'not allowed' }));
    expect(screen.getByTestId('cleanupConfirm')).toBeTruthy();
  });

  it('summarises an empty clean up', () => {
    expect(cleanupSummary({ dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [], errors: [] })).toBe('Nothing to remove.');
  });
});
