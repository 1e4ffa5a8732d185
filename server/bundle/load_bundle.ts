/**
 * Loading a bundle later than it was written. A bundle's times are relative to its end
 * (`manifest.window.end`): its anomalies sit in the last buckets before that end, inside the look-back
 * of the jobs' rules counted from it. Loaded an hour (or a week) later, the same data would be
 * outside every look-back and outside Anomaly Explorer's default range. So loading re-bases it:
 * every time moves by `shift = floor(load time, 15 min) - end` — documents, the datafeeds' window,
 * the anomaly buckets — and the demo ends at the load time as if it had just been generated.
 *
 * The shift is a multiple of 15 minutes, so every 15-minute bucket (all count, distinct, info and
 * time-of-day jobs, and most rare ones) keeps its documents together; rare jobs with longer buckets
 * may see their novelty in a neighbouring bucket, which is still a novelty. Hour of day and weekday
 * move with everything else, so the baseline stays self-consistent (people's office hours move by
 * the same shift as their logons).
 *
 * Here the loader rewrites `@timestamp` while it streams the files to the bulk helper (the
 * alternative, an ingest pipeline shifting the field in Elasticsearch, is what load.sh uses because
 * curl cannot rewrite; see README "Loading a bundle later" for the measurement and the choice).
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OptionsError } from '../../common/options';
import type { GenerateOptions } from '../generators/options';
import { floorTo, TICK } from '../generators/time';
import type { BundleManifest } from './manifest';

/** `{"@timestamp":"` — every document the generator writes starts with it, a 24-character ISO time follows. */
const PREFIX = '{"@timestamp":"';
const TS_LEN = 24;

/** Reads and checks a bundle's manifest: it is one of ours and its data files are there. */
export function readBundle(dir: string): BundleManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new OptionsError(`<bundle> ${dir} has no manifest.json; give the directory a bundle command wrote`, 'bundle');
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as BundleManifest;
  } catch {
    throw new OptionsError(`<bundle> ${dir}/manifest.json is not valid JSON`, 'bundle');
  }
  if (manifest?.generator !== 'ml-demo-data' || !manifest.window?.end || !Array.isArray(manifest.dataStreams) || !manifest.options) {
    throw new OptionsError(`<bundle> ${dir}/manifest.json is not an ml-demo-data bundle's manifest`, 'bundle');
  }
  const missing = manifest.dataStreams.find((d) => !existsSync(join(dir, d.file)));
  if (missing) throw new OptionsError(`<bundle> ${dir} lacks ${missing.file}, which its manifest lists; write the bundle again`, 'bundle');
  return manifest;
}

/** The generation options that give the bundle's plan (same seed, same end: the same documents). */
export function bundleOptions(m: BundleManifest): GenerateOptions {
  const o = m.options;
  return {
    modules: o.modules,
    historyDays: o.historyDays,
    end: m.window.end,
    seed: o.seed,
    scale: o.scale,
    anomaliesPerJob: o.anomaliesPerJob,
    namespace: o.namespace,
    theme: o.theme,
    variant: o.variant,
    ...(o.timeline ? { timeline: true } : {}),
  };
}

/** How far the bundle moves to end at `now` (floored to 15 minutes, so buckets stay whole). */
export function rebaseShift(m: BundleManifest, now = Date.now()): number {
  return floorTo(now, TICK) - Date.parse(m.window.end);
}

/** One document with its `@timestamp` moved by `shiftMs`. */
export function shiftDocument(doc: string, shiftMs: number): string {
  if (!shiftMs) return doc;
  if (!doc.startsWith(PREFIX) || doc[PREFIX.length + TS_LEN] !== '"')
    throw new Error(`a bundle document does not start with {"@timestamp":"<ISO time>": ${doc.slice(0, 60)}`);
  const ts = Date.parse(doc.slice(PREFIX.length, PREFIX.length + TS_LEN));
  return PREFIX + new Date(ts + shiftMs).toISOString() + doc.slice(PREFIX.length + TS_LEN);
}

/**
 * The documents of one data file (bulk action lines dropped), re-based, streamed with bounded
 * memory (the file is read in 1 MB pieces).
 */
export async function* bundleDocuments(file: string, shiftMs: number): AsyncGenerator<string> {
  let rest = '';
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (piece as string);
    let from = 0;
    for (let to = text.indexOf('\n', from); to >= 0; to = text.indexOf('\n', from)) {
      const line = text.slice(from, to);
      from = to + 1;
      if (line && !line.startsWith('{"create"')) yield shiftDocument(line, shiftMs);
    }
    rest = text.slice(from);
  }
  if (rest && !rest.startsWith('{"create"')) yield shiftDocument(rest, shiftMs);
}
