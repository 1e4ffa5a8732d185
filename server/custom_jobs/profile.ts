/**
 * The profile of the custom module: what the data of a user's own jobs looks like. Unlike the
 * Security modules' profiles it is computed from the jobs: every field a job splits, measures or
 * is influenced by, and every field its datafeed requires, is an entity kind — the generator's
 * own kind where it has one (user.name, host.name, source.ip…), else a kind of its own with values
 * of the field's ECS type (field_values.ts); fields read by metric functions are numbers. There
 * is no real source to imitate, so every lane but people's hours is steady (detectors/steady.ts):
 * the one thing the job sees out of the ordinary is its injected anomaly.
 */
import { familyOf } from '../engine/registry';
import type { CatalogueJob } from '../../common/catalogue/types';
import { solveQuery } from '../generators/constraints';
import type { EntityKind } from '../generators/entities';
import { fieldKind, jobFields } from '../generators/lanes';
import type { ModuleProfile } from '../generators/profiles';
import { CUSTOM_MODULE_ID } from './parse';

/** People first (their working hours decide when events happen), then machines, then the rest. */
const ORDER: EntityKind[] = ['user', 'host', 'source', 'destination', 'dport', 'process', 'parent', 'workdir', 'service', 'script', 'aws_action', 'aws_error', 'dns', 'server_domain', 'url', 'user_agent'];

export function customProfile(jobs: readonly CatalogueJob[]): ModuleProfile {
  const fields = new Set<string>();
  const numeric = new Set<string>();
  for (const job of jobs) {
    const { detector, influencers } = jobFields(job);
    detector.forEach((f) => fields.add(f));
    influencers.forEach((f) => fields.add(f));
    const d = job.job.analysis_config.detectors[0];
    if (familyOf(d.function) === 'metric' && d.field_name) numeric.add(d.field_name);
    const constraints = solveQuery(job.datafeed.query);
    constraints.exists.forEach((f) => fields.add(f));
  }
  const kinds = new Set<EntityKind>([...fields].map((f) => fieldKind(f)!));
  const kindOrder = [...ORDER.filter((k) => kinds.has(k)), ...[...kinds].filter((k) => !ORDER.includes(k)).sort()];
  const affinities: ModuleProfile['affinities'] = kinds.has('user') && kinds.has('host') ? [['user', 'host', 2]] : [];
  return {
    moduleId: CUSTOM_MODULE_ID,
    dataset: 'ml_demo.custom',
    summary: `Events for your own jobs (${jobs.map((j) => j.id).join(', ')}), fields typed as ECS says`,
    flavor: { os: 'linux', users: 'linux', sources: 'internal', numeric: [...numeric].sort() },
    base: { 'ecs.version': '8.11.0', 'event.kind': 'event', 'event.dataset': 'ml_demo.custom', 'event.module': 'ml_demo' },
    prefer: {},
    kindOrder,
    affinities,
    complete: (f) => ({ fields: f, kinds: [] }),
    steady: true,
  };
}
