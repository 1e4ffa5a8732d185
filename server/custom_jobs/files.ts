/**
 * Job files from the command line: `--job-file` (repeatable; a file or a folder) and
 * `--datafeed-file` (repeatable). In a folder, every `*.json` with analysis_config is a job and
 * every one with a query is a datafeed (Kibana's module layout `ml/<id>.json` +
 * `ml/datafeed_<id>.json` works as is). A datafeed goes with the job its `job_id` names, else the
 * job whose file it is named after (`datafeed_<stem>.json`, `datafeed-<stem>.json`), else, for
 * `--datafeed-file`, the `--job-file` in the same position.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CustomJobError, isDatafeedBody, jobBodies, type JobInput } from './parse';

/** Files above this size are not job definitions (a job body is a few kilobytes). */
const MAX_FILE_BYTES = 1024 * 1024;

interface Loaded {
  path: string;
  stem: string;
  value: unknown;
}

function load(path: string, flag: string): Loaded {
  let text: string;
  try {
    const stat = statSync(path);
    if (stat.size > MAX_FILE_BYTES) throw new CustomJobError(`${flag} ${path}: ${stat.size} bytes is too large for a job or datafeed definition`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof CustomJobError) throw error;
    throw new CustomJobError(`${flag} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return { path, stem: basename(path).replace(/\.json$/i, ''), value: JSON.parse(text) };
  } catch (error) {
    throw new CustomJobError(`${flag} ${path}: is not JSON (${(error as Error).message})`);
  }
}

function expand(path: string, flag: string): string[] {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch (error) {
    throw new CustomJobError(`${flag} ${path}: does not exist (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (!dir) return [path];
  const files = readdirSync(path)
    .filter((f) => f.toLowerCase().endsWith('.json') && f !== 'manifest.json')
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new CustomJobError(`${flag} ${path}: the folder has no .json files`);
  return files;
}

const datafeedStem = (stem: string) => stem.replace(/^datafeed[_-]/, '');

/** The job inputs of the flags, paired with their datafeeds; throws CustomJobError naming the file. */
export function readJobFiles(jobPaths: readonly string[], datafeedPaths: readonly string[] = []): JobInput[] {
  const jobs: (Loaded & { order: number })[] = [];
  const feeds: (Loaded & { order?: number })[] = [];
  jobPaths.forEach((p, order) => {
    for (const file of expand(p, '--job-file')) {
      const loaded = load(file, '--job-file');
      if (isDatafeedBody(loaded.value)) feeds.push(loaded);
      else if (jobBodies(loaded.value).length) jobs.push({ ...loaded, order });
      else throw new CustomJobError(`--job-file ${file}: is neither a job (analysis_config) nor a datafeed (query)`);
    }
  });
  datafeedPaths.forEach((p, order) => {
    for (const file of expand(p, '--datafeed-file')) feeds.push({ ...load(file, '--datafeed-file'), order });
  });
  if (jobs.length === 0) throw new CustomJobError(`--job-file ${jobPaths.join(', ')}: no job definition (a JSON object with analysis_config) found`);
  const used = new Set<Loaded>();
  const inputs = jobs.map((job): JobInput => {
    const bodies = jobBodies(job.value);
    const id = typeof bodies[0]?.job_id === 'string' ? (bodies[0].job_id as string) : job.stem;
    const byJobId = feeds.find((f) => !used.has(f) && (f.value as { job_id?: unknown }).job_id === id);
    const byName = feeds.find((f) => !used.has(f) && (datafeedStem(f.stem) === job.stem || datafeedStem(f.stem) === id));
    const byOrder = feeds.find((f) => !used.has(f) && f.order !== undefined && f.order === job.order && jobPaths.length === datafeedPaths.length);
    const feed = byJobId ?? byName ?? byOrder;
    if (feed) used.add(feed);
    return { job: job.value, source: job.path, fallbackId: job.stem, datafeed: feed?.value, datafeedSource: feed?.path };
  });
  const left = feeds.find((f) => !used.has(f));
  if (left) throw new CustomJobError(`--datafeed-file ${left.path}: no job goes with this datafeed (by its job_id, or a job file named like it)`);
  return inputs;
}
