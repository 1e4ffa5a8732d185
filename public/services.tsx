/**
 * What the components get from Kibana, through React context: the API client, toasts and the
 * link builders. Links come from the share plugin's ML locator when it is there and from
 * `application.getUrlForApp` otherwise (both carry the space through Kibana's base path); the
 * paths inside the apps come from common/links.ts.
 */
import React, { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { ML_APP_ID, ML_APP_LOCATOR, SECURITY_APP_ID, alertsPath, anomalyExplorerPath, explorerLocatorParams, rulePath, spaceFromBasePath, type TimeRange } from '../common/links';
import type { ApiClient } from './api';
import type { CoreStart, MlDemoDataStartDeps } from './kibana_shim';

export interface LinkBuilders {
  /** Synchronous Anomaly Explorer URL (getUrlForApp + the path ML itself builds). */
  explorer(jobIds: string[], timeRange: TimeRange): string;
  /** The ML locator's URL when the share plugin has it; undefined otherwise. */
  explorerFromLocator?(jobIds: string[], timeRange: TimeRange): Promise<string>;
  alerts(ruleIds: string[], timeRange?: TimeRange): string;
  rule(ruleObjectId: string): string;
  licenseManagement(): string;
}

export interface Services {
  api: ApiClient;
  toasts: CoreStart['notifications']['toasts'];
  links: LinkBuilders;
  navigateToUrl: CoreStart['application']['navigateToUrl'];
  space: string;
  /** How often a running run is polled (default use_run.ts POLL_MS). */
  pollMs?: number;
}

export function createLinkBuilders(core: CoreStart, plugins: MlDemoDataStartDeps): LinkBuilders {
  const app = core.application;
  const locator = plugins.share?.url.locators.get<ReturnType<typeof explorerLocatorParams>>(ML_APP_LOCATOR);
  return {
    explorer: (jobIds, timeRange) => app.getUrlForApp(ML_APP_ID, { path: anomalyExplorerPath({ jobIds, timeRange }) }),
    explorerFromLocator: locator ? (jobIds, timeRange) => locator.getUrl(explorerLocatorParams({ jobIds, timeRange })) : undefined,
    alerts: (ruleIds, timeRange) => app.getUrlForApp(SECURITY_APP_ID, { path: alertsPath({ ruleIds, timeRange }) }),
    rule: (id) => app.getUrlForApp(SECURITY_APP_ID, { path: rulePath(id) }),
    licenseManagement: () => app.getUrlForApp('management', { path: '/stack/license_management/home' }),
  };
}

export function spaceOf(core: CoreStart): string {
  return spaceFromBasePath(core.http.basePath.get());
}

const ServicesContext = createContext<Services | null>(null);

export const ServicesProvider: React.FC<{ services: Services; children: React.ReactNode }> = ({ services, children }) => (
  <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>
);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}

/**
 * The Anomaly Explorer URL for these jobs: the builder's URL at once, replaced by the ML locator's
 * when it resolves (the locator knows ML's current URL format).
 */
export function useExplorerUrl(jobIds: string[], timeRange: TimeRange | undefined): string | undefined {
  const { links } = useServices();
  const key = timeRange ? `${jobIds.join(',')}|${timeRange.from}|${timeRange.to}` : '';
  const fallback = useMemo(() => (timeRange && jobIds.length ? links.explorer(jobIds, timeRange) : undefined), [key]);
  const [fromLocator, setFromLocator] = useState<{ key: string; url: string }>();
  useEffect(() => {
    if (!timeRange || !jobIds.length || !links.explorerFromLocator) return;
    let live = true;
    links.explorerFromLocator(jobIds, timeRange).then(
      (url) => live && setFromLocator({ key, url }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [key]);
  return fromLocator?.key === key ? fromLocator.url : fallback;
}
