import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCatalogue } from '../../scripts/build_catalogue';
import { catalogue, getJob, jobInVariant, moduleJobs, resolveSelection, rulesForJob, selectedJobs } from '.';

const CLASSIC_COUNTS: Record<string, number> = {
  security_auth: 7, security_linux_v3: 14, security_windows_v3: 13, security_cloudtrail: 5, security_network: 4, security_packetbeat: 5, security_host: 2,
};

describe('catalogue', () => {
  it('is what scripts/build_catalogue.ts builds from catalogue-src (run `npm run catalogue` after changing the sources)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, 'catalogue.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildCatalogue())));
  });

  it('has the seven modules with every classic job Kibana ships (50)', () => {
    expect(Object.fromEntries(catalogue.modules.map((m) => [m.id, m.classicJobIds.length]))).toEqual(CLASSIC_COUNTS);
    expect(new Set(catalogue.modules.flatMap((m) => m.classicJobIds)).size).toBe(50);
  });

  it('has security_host from Kibana\'s files: classic and _ea ids, 5-minute low_count, the sibling\'s datafeed where its own is missing', () => {
    const host = catalogue.modules.find((m) => m.id === 'security_host')!;
    expect(host.classicJobIds).toEqual(['high_count_events_for_a_host_name', 'low_count_events_for_a_host_name']);
    expect(host.eaJobIds).toEqual(['high_count_events_for_a_host_name_ea', 'low_count_events_for_a_host_name_ea']);
    const low = getJob('low_count_events_for_a_host_name_ea');
    expect(low.job.analysis_config).toMatchObject({ bucket_span: '5m', detectors: [{ function: 'low_count', partition_field_name: 'host.name' }] });
    expect(low.sources.job.path).toMatch(/modules\/security_host\/ml\/low_count_events_for_a_host_name_ea\.json$/);
    expect(getJob('high_count_events_for_a_host_name').sources.datafeed.inferredFrom).toBe('twin low_count_events_for_a_host_name');
    // The high_count jobs have no prebuilt rule (they feed the host traffic dashboard).
    expect(rulesForJob('high_count_events_for_a_host_name_ea')).toEqual([]);
  });

  it('has the 9.4+ ids, each with the same detector as its classic twin', () => {
    for (const module of catalogue.modules) {
      expect(module.eaJobIds.length).toBeGreaterThanOrEqual(module.classicJobIds.length);
      for (const id of module.eaJobIds.filter((i) => i.endsWith('_ea'))) {
        const ea = getJob(id);
        if (!ea.twinId) continue; // e.g. dns_tunneling_ea moved from packetbeat to network
        const classic = getJob(ea.twinId);
        const { function: f1, field_name: a1, by_field_name: b1, over_field_name: o1 } = ea.job.analysis_config.detectors[0];
        const { function: f2, field_name: a2, by_field_name: b2, over_field_name: o2 } = classic.job.analysis_config.detectors[0];
        expect({ id, f1, a1, b1, o1 }).toEqual({ id, f1: f2, a1: a2, b1: b2, o1: o2 });
      }
    }
  });

  it('keeps every job and datafeed as Kibana ships it, naming the source of each', () => {
    for (const job of catalogue.jobs) {
      expect(job.job.analysis_config.detectors).toHaveLength(1);
      expect(job.job.data_description.time_field).toBe('@timestamp');
      expect(job.datafeed.query).toBeDefined();
      expect(job.sources.job.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(job.sources.datafeed.repo).toBe('elastic/kibana');
    }
  });

  it('links each classic job to its prebuilt rule with the documented threshold and look-back', () => {
    expect(rulesForJob('auth_rare_user').map((r) => [r.rule_id, r.anomaly_threshold, r.from])).toEqual([['138c5dd5-838b-446e-b1ac-c995c7f8108a', 75, 'now-30m']]);
    expect(rulesForJob('v3_rare_process_by_host_windows').map((r) => r.from)).toEqual(['now-6h']);
    const classicWithRules = catalogue.modules.flatMap((m) => m.classicJobIds).filter((id) => rulesForJob(id).length > 0);
    expect(classicWithRules.length).toBeGreaterThanOrEqual(47);
  });
});

describe('selection and aliases', () => {
  it('accepts the older generator names with a notice', () => {
    const r = resolveSelection(['security_linux', 'cloudtrail_rare_method_for_a_city', 'network_rare_process_for_user'], 'classic');
    expect(r.moduleIds).toEqual(['security_linux_v3']);
    expect(r.jobIds).toEqual(['rare_method_for_a_city', 'v3_linux_anomalous_network_activity']);
    expect(r.notices).toHaveLength(3);
    expect(r.notices[0]).toMatch(/security_linux_v3/);
  });

  it('follows the stack generation: classic ids become _ea ids and back', () => {
    expect(jobInVariant('auth_rare_user', 'ea').id).toBe('auth_rare_user_ea');
    expect(jobInVariant('auth_rare_user_ea', 'classic').id).toBe('auth_rare_user');
    expect(jobInVariant('rare_method_for_a_username', 'ea').id).toBe('rare_method_for_a_user_id_ea');
    expect(moduleJobs('security_windows_v3', 'ea').every((j) => j.id.endsWith('_ea'))).toBe(true);
  });

  it('selects whole modules and single jobs', () => {
    const selection = selectedJobs(resolveSelection(['security_auth', 'packetbeat_rare_urls'], 'classic'), 'classic');
    expect([...selection.keys()]).toEqual(['security_auth', 'security_packetbeat']);
    expect(selection.get('security_packetbeat')!.map((j) => j.id)).toEqual(['packetbeat_rare_urls']);
  });

  it('rejects unknown names, listing what exists', () => {
    expect(() => resolveSelection(['security_foo'], 'classic')).toThrow(/Unknown module or job: security_foo\. Modules: security_auth/);
  });
});
