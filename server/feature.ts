/**
 * The plugin's Kibana feature, so Roles and Spaces management can grant or hide it like any other
 * app (x-pack/platform/plugins/shared/features/common/kibana_feature.ts `KibanaFeatureConfig`).
 * `all` runs, cancels and cleans up; `read` sees modules and runs. The routes require these API
 * privileges plus ML's own capability (server/routes/route_deps.ts).
 *
 * `ml-job` saved objects: runs create the ML saved object of every job made through the ES API
 * (server/kibana_api.ts mlJobSavedObject), as ML's own "all" privilege allows.
 */
import { PLUGIN_ID, PLUGIN_NAME } from '../common/constants';
import type { KibanaFeatureConfig } from './kibana_shim';

export const API_PRIVILEGES = { read: `${PLUGIN_ID}:read`, run: `${PLUGIN_ID}:run` } as const;

/** src/core/packages/application/common/src/default_app_categories.ts (`DEFAULT_APP_CATEGORIES.security`). */
const SECURITY_CATEGORY = { id: 'securitySolution', label: 'Security', order: 3000, euiIconType: 'logoSecurity' };

export const ML_DEMO_DATA_FEATURE: KibanaFeatureConfig = {
  id: PLUGIN_ID,
  name: PLUGIN_NAME,
  description: 'Generate demo data for the Security ML jobs, install the jobs and their detection rules.',
  category: SECURITY_CATEGORY,
  app: [PLUGIN_ID],
  // Anomaly detection needs Platinum or a trial: the page is hidden below that.
  minimumLicense: 'platinum',
  privileges: {
    all: {
      app: [PLUGIN_ID],
      api: [API_PRIVILEGES.read, API_PRIVILEGES.run],
      savedObject: { all: ['ml-job'], read: [] },
      ui: ['show', 'run'],
    },
    read: {
      app: [PLUGIN_ID],
      api: [API_PRIVILEGES.read],
      savedObject: { all: [], read: ['ml-job'] },
      ui: ['show'],
    },
  },
};
