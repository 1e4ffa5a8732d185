/**
 * "Keep it live": turns live mode on and off for the demo the latest run set up. The server runs it
 * as a Kibana Task Manager task (server/live/live_task.ts), so it goes on without this page; the
 * switch shows the task's state and the recorded session, refreshed while it is on.
 */
import React, { useCallback, useEffect, useState } from 'react';
import { EuiCallOut, EuiFlexGroup, EuiFlexItem, EuiSelect, EuiSpacer, EuiSwitch, EuiText } from '@elastic/eui';
import type { LiveStatus } from '../../common/api';
import { toApiError, type ApiError } from '../api';
import { useServices } from '../services';

export const INCIDENT_EVERY_CHOICES = ['1h', '2h', '6h', '12h', '1d'] as const;
const time = (iso: string) => new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** One paragraph on what live mode does now (or would do), from the server's status. */
export function describeLive(status: LiveStatus): string {
  const s = status.session;
  const recorded = s
    ? `Documents up to ${time(s.indexedUntil)}, ${s.docs.toLocaleString('en')} live documents, ${s.incidents} ${s.incidents === 1 ? 'incident' : 'incidents'}` +
      (s.lastIncident
        ? ` (latest: incident ${s.lastIncident.round} at ${time(s.lastIncident.end)}, ${s.lastIncident.predicted}/${s.lastIncident.jobs} jobs predicted to alert)`
        : '') +
      '.'
    : '';
  if (status.on) {
    const waves = s?.waves && s.waves > 1 ? ` Jobs run in ${s.waves} waves, one per incident (wave ${s.wave} now).` : '';
    return `On: the baseline is indexed and the datafeeds run in real time, with a new incident every ${status.incidentEvery ?? '6h'}, as a Kibana background task. ${recorded}${waves}`.trim();
  }
  if (s) return `Off. Turning it on resumes where it stopped (the missing time is indexed at once). ${recorded}`;
  return 'Keeps this demo alerting for days: indexes the baseline and runs the datafeeds in real time, and injects a new incident every interval, as a Kibana background task, until you turn it off or clean up.';
}

export const LiveSwitch: React.FC<{ namespace: string; refreshMs?: number }> = ({ namespace, refreshMs = 15_000 }) => {
  const { api, toasts } = useServices();
  const [status, setStatus] = useState<LiveStatus>();
  const [every, setEvery] = useState<string>('6h');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const load = useCallback(async () => {
    try {
      const next = await api.getLiveStatus(namespace);
      setStatus(next);
      if (next.incidentEvery && (INCIDENT_EVERY_CHOICES as readonly string[]).includes(next.incidentEvery)) setEvery(next.incidentEvery);
    } catch (e) {
      setError(toApiError(e));
    }
  }, [api, namespace]);

  useEffect(() => {
    void load();
  }, [load]);
  // While on, the rounds move the session on: show it.
  useEffect(() => {
    if (!status?.on) return undefined;
    const timer = setInterval(() => void load(), refreshMs);
    return () => clearInterval(timer);
  }, [status?.on, load, refreshMs]);

  const toggle = async (on: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      setStatus(on ? await api.startLive(namespace, every) : await api.stopLive(namespace));
      toasts.addSuccess(on ? `Live mode is on: a new incident every ${every}.` : 'Live mode is off: datafeeds stopped, jobs closed.');
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-test-subj="livePanel">
      <EuiFlexGroup alignItems="center" gutterSize="m" responsive={false} wrap>
        <EuiFlexItem grow={false}>
          <EuiSwitch
            label="Keep it live"
            checked={Boolean(status?.on)}
            disabled={busy || !status}
            onChange={(e) => void toggle(e.target.checked)}
            data-test-subj="liveSwitch"
          />
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiText size="s">
            <span>New incident every</span>
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false} style={{ minWidth: 90 }}>
          <EuiSelect
            compressed
            aria-label="Time between incidents"
            options={INCIDENT_EVERY_CHOICES.map((v) => ({ value: v, text: v }))}
            value={every}
            disabled={busy || Boolean(status?.on)}
            onChange={(e) => setEvery(e.target.value)}
            data-test-subj="liveEvery"
          />
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      {status && (
        <EuiText size="s" color="subdued" data-test-subj="liveStatus">
          <p>{describeLive(status)}</p>
          {status.session?.memory && <p data-test-subj="liveMemory">{status.session.memory}</p>}
          {status.on && status.error && <p data-test-subj="liveRoundError">The last round failed (the next one tries again): {status.error}</p>}
        </EuiText>
      )}
      {error && (
        <>
          <EuiSpacer size="s" />
          <EuiCallOut color="danger" iconType="warning" size="s" title="Live mode" data-test-subj="liveError">
            <p>{error.message}</p>
          </EuiCallOut>
        </>
      )}
    </div>
  );
};
