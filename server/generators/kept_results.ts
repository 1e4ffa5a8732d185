/**
 * Ordinary results for a detector whose skip rule drops every small one.
 *
 * packetbeat_dns_tunneling keeps only results with `actual >= 350` (info content of a registered
 * domain's names in a bucket). The engine's normaliser turns probabilities into scores from the
 * results it has been given; with none kept, even a clear tunnelling record scores 0 (issue #8,
 * engine calibration `info_content`: 0 with no such results, 59-69 with ~90 kept buckets). So the
 * baseline carries ordinary lookups whose info content crosses the rule's floor in about half of
 * the busy buckets: reverse (PTR) lookups of IPv6 client addresses, long names that change every
 * time. PTR questions are outside packetbeat_rare_dns_question's datafeed, so they are no
 * novelties for the rare job that reads the same field.
 */
import type { CatalogueJob } from '../../common/catalogue/types';
import { infoContent } from '../engine/buckets';
import { keptFrom, skipRulesOf } from '../engine/detector';
import { familyOf } from '../engine/registry';
import { buildEntity, reverseLookupKey, type Entity, type EntityKind, type Flavor } from './entities';

/** Distinct reverse lookups in the pool: far more than a bucket asks, so names rarely repeat in one. */
const POOL = 4000;

export interface KeptResults {
  kind: EntityKind;
  entities: Entity[];
  /** Mean lookups per bucket at full activity: the count whose info content reaches the floor. */
  perBucket: number;
}

/** Only info-content jobs on DNS names with an `actual` floor need them; undefined otherwise. */
export function keptResultsFor(job: CatalogueJob, kindOf: (field: string) => EntityKind | undefined, flavor: Flavor): KeptResults | undefined {
  const d = job.job.analysis_config.detectors[0];
  if (familyOf(d.function) !== 'info' || !d.field_name || kindOf(d.field_name) !== 'dns') return undefined;
  const floor = keptFrom({ skipRules: skipRulesOf(d.custom_rules, 0) });
  if (floor === undefined) return undefined;
  const keys = Array.from({ length: POOL }, (_, i) => reverseLookupKey(i));
  // The smallest number of distinct names whose info content reaches the floor, measured the way
  // the engine model measures it: a Poisson count with this mean crosses it in ~half the buckets.
  let perBucket = 1;
  while (perBucket < 200 && infoContent(keys.slice(0, perBucket)) < floor) perBucket++;
  return { kind: 'dns', entities: keys.map((k) => buildEntity('dns', k, flavor)), perBucket };
}
