/**
 * Names users of the older security-documents-generator ML feature know, mapped to the real
 * Kibana ids. Each resolution carries a one-line notice so the user learns the real name.
 */
export const MODULE_ALIASES: Record<string, string> = {
  security_linux: 'security_linux_v3',
  security_windows: 'security_windows_v3',
};

export const JOB_ALIASES: Record<string, { id: string; why: string }> = {
  cloudtrail_rare_method_for_a_city: { id: 'rare_method_for_a_city', why: 'Kibana ships it without the cloudtrail_ prefix' },
  network_rare_process_for_user: {
    id: 'v3_linux_anomalous_network_activity',
    why: 'no such job exists; the real "rare process making network connections" job is in security_linux_v3',
  },
};
