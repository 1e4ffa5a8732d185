/** API answers for the component tests, shaped like common/api.ts and the real catalogue. */
import type { JobProgress, ModulesResponse, RunProgress } from '../../common/api';

export const MODULES: ModulesResponse = {
  variant: 'classic',
  stackVersion: '9.1.0',
  modules: [
    {
      id: 'security_auth',
      title: 'Security: Authentication',
      description: 'Detect anomalous activity in your ECS-compatible authentication logs.',
      summary: 'Logons and failed logons of users from source IPs, with a logon burst, a new user and a 01:00 logon.',
      dataStream: 'logs-ml_demo.auth-default',
      jobs: [
        { id: 'auth_rare_user', function: 'rare', description: 'Rare user', bucketSpan: '15m', installed: false, ruleIds: ['138c5dd5-838b-446e-b1ac-c995c7f8108a'] },
        { id: 'auth_rare_hour_for_a_user', function: 'time_of_day', description: 'Rare hour', bucketSpan: '15m', installed: false, ruleIds: ['745b0119-0560-43ba-860a-7235dd8cee8d'] },
        { id: 'auth_high_count_logon_events', function: 'high_non_zero_count', description: 'Logon spike', bucketSpan: '15m', installed: true, ruleIds: [] },
      ],
    },
    {
      id: 'security_packetbeat',
      title: 'Security: Packetbeat',
      description: 'Detect suspicious activity in Packetbeat data.',
      summary: 'DNS, HTTP and TLS traffic of hosts, with DNS tunnelling and a rare user agent.',
      dataStream: 'logs-ml_demo.packetbeat-default',
      jobs: [
        { id: 'packetbeat_dns_tunneling', function: 'high_info_content', description: 'DNS tunneling', bucketSpan: '15m', installed: false, ruleIds: ['91f02f01-969f-4167-8f55-07827ac3acc9'] },
        { id: 'packetbeat_rare_user_agent', function: 'rare', description: 'Rare user agent', bucketSpan: '15m', installed: false, ruleIds: ['91f02f01-969f-4167-8d85-07827ac3acc9'] },
      ],
    },
  ],
};

const anomaly = (description: string, scope: Record<string, string>, value: string | number): JobProgress['anomaly'] => ({
  bucketStart: '2026-11-24T09:45:00.000Z',
  description,
  scope,
  value,
});

export const JOBS: JobProgress[] = [
  {
    jobId: 'auth_rare_user',
    moduleId: 'security_auth',
    function: 'rare',
    state: 'processed',
    processedUntil: '2026-11-24T10:00:00.000Z',
    anomaly: anomaly('new value (seen before: 0)', { 'user.name': 'svc-backup-07' }, 'svc-backup-07'),
    maxRecordScore: 91.2,
    ruleId: '138c5dd5-838b-446e-b1ac-c995c7f8108a',
    ruleName: 'Rare User Logon',
    ruleThreshold: 75,
    detected: true,
  },
  {
    jobId: 'auth_rare_hour_for_a_user',
    moduleId: 'security_auth',
    function: 'time_of_day',
    state: 'processed',
    processedUntil: '2026-11-24T10:00:00.000Z',
    anomaly: anomaly('6.72 h from usual', { 'user.name': 'jdoe' }, '01:12'),
    maxRecordScore: 52,
    ruleId: '745b0119-0560-43ba-860a-7235dd8cee8d',
    ruleName: 'Unusual Hour for a User to Logon',
    ruleThreshold: 75,
    detected: false,
  },
  {
    jobId: 'packetbeat_dns_tunneling',
    moduleId: 'security_packetbeat',
    function: 'high_info_content',
    state: 'processed',
    processedUntil: '2026-11-24T10:00:00.000Z',
    anomaly: anomaly('150 encoded queries under one new domain', { 'destination.ip': '10.1.2.3' }, 412),
    maxRecordScore: null,
    ruleId: '91f02f01-969f-4167-8f55-07827ac3acc9',
    ruleName: 'DNS Tunneling',
    ruleThreshold: 50,
  },
];

export function runFixture(overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    runId: 'run-1',
    space: 'default',
    state: 'succeeded',
    phase: 'done',
    startedAt: '2026-11-24T10:05:00.000Z',
    updatedAt: '2026-11-24T10:09:00.000Z',
    request: { modules: ['security_auth', 'security_packetbeat'], historyDays: 14, seed: 'ml-demo-data', namespace: 'default', enableJobs: true, installRules: true },
    window: { start: '2026-11-10T10:00:00.000Z', end: '2026-11-24T10:00:00.000Z' },
    docs: { planned: 120000, generated: 120000, indexed: 120000, failed: 0 },
    dataStreams: ['logs-ml_demo.auth-default', 'logs-ml_demo.packetbeat-default'],
    jobs: JOBS,
    rules: [
      { ruleId: '138c5dd5-838b-446e-b1ac-c995c7f8108a', name: 'Rare User Logon', id: 'so-rare-user', state: 'enabled' },
      { ruleId: '745b0119-0560-43ba-860a-7235dd8cee8d', name: 'Unusual Hour for a User to Logon', id: 'so-rare-hour', state: 'enabled' },
      { ruleId: '91f02f01-969f-4167-8f55-07827ac3acc9', name: 'DNS Tunneling', state: 'failed', error: 'boom' },
    ],
    notices: [],
    errors: [],
    created: { dataStreams: ['logs-ml_demo.auth-default'], indexTemplates: ['ml-demo-data-default'], jobs: ['auth_rare_user'], datafeeds: ['datafeed-auth_rare_user'], rules: ['138c5dd5-838b-446e-b1ac-c995c7f8108a'] },
    ...overrides,
  };
}

export function runningFixture(overrides: Partial<RunProgress> = {}): RunProgress {
  return runFixture({
    state: 'running',
    phase: 'index',
    docs: { planned: 120000, generated: 60000, indexed: 45000, failed: 0 },
    jobs: JOBS.map((j) => ({ ...j, state: 'pending' as const, maxRecordScore: null, detected: undefined, processedUntil: undefined })),
    rules: [],
    ...overrides,
  });
}
