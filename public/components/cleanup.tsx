/** "Clean up" with a confirmation naming exactly what goes: the tool's data streams, template, jobs and rules. */
import React, { useState } from 'react';
import { EuiButton, EuiCode, EuiConfirmModal, EuiText, useGeneratedHtmlId } from '@elastic/eui';
import { dataStreamPattern, indexTemplateName } from '../../common/constants';
import { RULE_TAG } from '../../common/requests';
import { toApiError, type CleanupResult } from '../api';
import { useServices } from '../services';

interface Props {
  namespace: string;
  disabled?: boolean;
  fill?: boolean;
  onDone(result: CleanupResult): void;
}

export function cleanupSummary(r: CleanupResult): string {
  const parts = [
    [r.dataStreams.length, 'data stream'],
    [r.jobs.length, 'job'],
    [r.datafeeds.length, 'datafeed'],
    [r.rules.length, 'rule'],
    [r.indexTemplates.length, 'index template'],
  ] as const;
  const removed = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
  return removed.length ? `Removed ${removed.join(', ')}.` : 'Nothing to remove.';
}

export const CleanupButton: React.FC<Props> = ({ namespace, disabled, fill, onDone }) => {
  const { api, toasts, space } = useServices();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const titleId = useGeneratedHtmlId({ prefix: 'cleanupTitle' });

  const confirm = async () => {
    setBusy(true);
    try {
      const result = await api.cleanup(namespace);
      setOpen(false);
      if (result.errors.length) toasts.addWarning({ title: 'Clean up finished with errors', text: `${cleanupSummary(result)} ${result.errors.join(' ')}` });
      else toasts.addSuccess({ title: 'Demo data removed', text: cleanupSummary(result), 'data-test-subj': 'cleanupToast' });
      onDone(result);
    } catch (e) {
      const error = toApiError(e);
      toasts.addDanger({ title: 'Clean up failed', text: error.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <EuiButton color="danger" iconType="trash" fill={fill} isDisabled={disabled} onClick={() => setOpen(true)} data-test-subj="cleanupButton">
        Clean up
      </EuiButton>
      {open && (
        <EuiConfirmModal
          aria-labelledby={titleId}
          title="Remove the demo data?"
          titleProps={{ id: titleId }}
          onCancel={() => setOpen(false)}
          onConfirm={confirm}
          cancelButtonText="Keep it"
          confirmButtonText="Remove demo data"
          buttonColor="danger"
          defaultFocusedButton="cancel"
          isLoading={busy}
          data-test-subj="cleanupConfirm"
        >
          <EuiText size="s">
            <p>This removes everything this tool created{space !== 'default' ? ` in space ${space}` : ''}:</p>
            <ul>
              <li>
                data streams <EuiCode>{dataStreamPattern(namespace)}</EuiCode> and index template <EuiCode>{indexTemplateName(namespace)}</EuiCode>
              </li>
              <li>the ML jobs and datafeeds it created (marked in their settings), with their results</li>
              <li>
                the detection rules tagged <EuiCode>{RULE_TAG}</EuiCode> (alerts already raised stay)
              </li>
            </ul>
            <p>Jobs and rules you had before are kept.</p>
          </EuiText>
        </EuiConfirmModal>
      )}
    </>
  );
};
