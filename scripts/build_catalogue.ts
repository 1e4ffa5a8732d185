/**
 * Builds common/catalogue/catalogue.json from the files in catalogue-src/: Kibana's module
 * definitions (byte-for-byte copies, with SOURCES.json naming repository, path and commit) and
 * the prebuilt ML rules extracted from elastic/detection-rules. Where Kibana's own file for a job
 * or datafeed could not be read, the classic/_ea twin's file is used and the entry says so.
 *
 *   npm run catalogue            rewrite the catalogue
 *   (the catalogue test fails when the committed file is out of date)
 */
import { readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Catalogue, CatalogueJob, CatalogueModule, CatalogueRule, SourceRef } from '../common/catalogue/types';

const ROOT = resolve(__dirname, existsSync(resolve(__dirname, '../catalogue-src')) ? '..' : '../..');
const SRC = join(ROOT, 'catalogue-src');
export const CATALOGUE_PATH = join(ROOT, 'common/catalogue/catalogue.json');

/**
 * Which folders, in which order, and the two kinds of stand-in for a missing file (twins named
 * differently, datafeeds of a sibling that reads the same data): data in catalogue-src, so adding a
 * module does not touch this script.
 */
interface ModulesSpec {
  folders: string[];
  specialTwins: Record<string, string>;
  datafeedFallbacks: Record<string, string[]>;
}

const MODULES = JSON.parse(readFileSync(join(SRC, 'kibana/modules.json'), 'utf8')) as ModulesSpec;
const FOLDERS = MODULES.folders;
/** Twins whose names differ by more than the `_ea` suffix. */
const SPECIAL_TWINS = MODULES.specialTwins;
/** Datafeeds Kibana ships for a sibling that reads the same data (used when a datafeed file is missing). */
const DATAFEED_FALLBACKS = MODULES.datafeedFallbacks;

interface Manifest { id: string; title: string; description: string; defaultIndexPattern: string; query: unknown; jobs: { id: string }[] }

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

export function twinOf(id: string): string {
  return SPECIAL_TWINS[id] ?? (id.endsWith('_ea') ? id.slice(0, -3) : `${id}_ea`);
}

export function buildCatalogue(): Catalogue {
  const sources = readJson<Record<string, { repo: string; path: string; commit: string }>>(join(SRC, 'kibana/SOURCES.json'));
  const sourceOf = (rel: string): SourceRef => {
    const s = sources[rel];
    if (!s) throw new Error(`catalogue-src/kibana/SOURCES.json has no entry for ${rel}`);
    return { repo: s.repo, path: s.path, commit: s.commit };
  };
  const modules: CatalogueModule[] = [];
  const jobs: CatalogueJob[] = [];
  for (const folder of FOLDERS) {
    const dir = join(SRC, 'kibana', folder);
    const current = readJson<Manifest>(join(dir, 'manifest.json'));
    const classicPath = join(dir, 'manifest_classic.json');
    const isEa = (m: Manifest) => m.jobs.some((j) => j.id.endsWith('_ea'));
    const classic = existsSync(classicPath) ? readJson<Manifest>(classicPath) : isEa(current) ? undefined : current;
    const eaManifestPath = join(dir, 'manifest_ea.json');
    const ea = existsSync(eaManifestPath) ? readJson<Manifest>(eaManifestPath) : isEa(current) ? current : undefined;
    const eaJobIds = ea ? ea.jobs.map((j) => j.id) : classic!.jobs.map((j) => `${j.id}_ea`).filter((id) => existsSync(join(dir, 'ml', `${id}.json`)));
    const classicJobIds = classic ? classic.jobs.map((j) => j.id) : eaJobIds.map(twinOf);
    const meta = ea ?? classic!;
    modules.push({ id: meta.id, folder, title: meta.title, description: meta.description, defaultIndexPattern: meta.defaultIndexPattern, query: meta.query, classicJobIds, eaJobIds });

    // Kibana's own file; else its classic/_ea twin's; else an older stored version of it.
    const load = (file: string, fallbacks: string[]): { json: unknown; source: SourceRef } => {
      for (const candidate of [file, ...fallbacks]) {
        const rel = `${folder}/ml/${candidate}`;
        if (existsSync(join(SRC, 'kibana', rel))) {
          const source = sourceOf(rel);
          return { json: readJson(join(SRC, 'kibana', rel)), source: candidate === file ? source : { ...source, inferredFrom: `twin ${candidate.replace(/^datafeed_|\.json$/g, '')}` } };
        }
      }
      const olderDir = join(SRC, 'kibana/_older_versions', folder, 'ml');
      const stems = [file, ...fallbacks].map((f) => f.replace(/\.json$/, ''));
      const older = existsSync(olderDir) ? readdirSync(olderDir).filter((f) => stems.some((stem) => f.startsWith(`${stem}@`) || f.startsWith(`${stem}_ecs@`))).sort() : [];
      if (older.length) {
        const rel = `_older_versions/${folder}/ml/${older[0]}`;
        const source = sourceOf(rel);
        return { json: readJson(join(SRC, 'kibana', rel)), source: { ...source, inferredFrom: `older version ${older[0].replace(/\.json$/, '')} (the current file is not available)` } };
      }
      throw new Error(`${folder}: neither ${file} nor ${fallbacks.join(', ')} nor an older version is in catalogue-src`);
    };
    const seen = new Set<string>();
    for (const [variant, ids] of [['classic', classicJobIds], ['ea', eaJobIds]] as const) {
      for (const id of ids) {
        if (seen.has(id)) continue; // unsuffixed jobs that stay in the 9.4 manifest
        seen.add(id);
        const twin = twinOf(id);
        const job = load(`${id}.json`, [`${twin}.json`]);
        const datafeed = load(`datafeed_${id}.json`, [`datafeed_${twin}.json`, ...(DATAFEED_FALLBACKS[id] ?? []).map((f) => `datafeed_${f}.json`)]);
        const hasTwin = [...classicJobIds, ...eaJobIds].includes(twin);
        jobs.push({
          id, moduleId: meta.id, variant: classicJobIds.includes(id) ? 'classic' : variant, twinId: hasTwin ? twin : undefined,
          job: job.json as CatalogueJob['job'], datafeed: datafeed.json as CatalogueJob['datafeed'], sources: { job: job.source, datafeed: datafeed.source },
        });
      }
    }
  }
  const rulesPath = join(SRC, 'rules/ml_rules.json');
  const rules = existsSync(rulesPath) ? readJson<CatalogueRule[]>(rulesPath) : [];
  return { modules, jobs, rules };
}

if (require.main === module) {
  const catalogue = buildCatalogue();
  writeFileSync(CATALOGUE_PATH, `${JSON.stringify(catalogue, null, 1)}\n`);
  const inferred = catalogue.jobs.filter((j) => j.sources.job.inferredFrom || j.sources.datafeed.inferredFrom);
  console.log(`Wrote ${CATALOGUE_PATH}: ${catalogue.modules.length} modules, ${catalogue.jobs.length} jobs (${inferred.length} with a twin's file), ${catalogue.rules.length} rules`);
}
