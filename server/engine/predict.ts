/**
 * predict: the engine model over files — a job body, the documents its datafeed would send (one
 * JSON object per line with its time field) and the injections to score. Streams the documents:
 * memory holds the open buckets and the model's state, not the documents.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EngineModel, type EngineModelOptions, type Injection, type Prediction } from './model';
import type { EngineParams } from './params';

export class InputError extends Error {}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} ${path} is not JSON: ${(e as Error).message}.`);
  }
}

/** Epoch milliseconds of an ISO date or an epoch number; NaN when it is neither. */
export function timeOf(v: unknown): number {
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return timeOf(Number(v));
    return Date.parse(v);
  }
  return NaN;
}

export function readInjections(path: string): { endMs?: number; injections: Injection[] } {
  const body = readJson(path, 'Injections file') as Record<string, unknown>;
  if (!body || typeof body !== 'object' || !Array.isArray(body.injections)) {
    throw new InputError(`Injections file ${path} needs {"end": ISO, "injections": [{"label", "bucket_start", "entity"}]}.`);
  }
  const endMs = body.end === undefined ? undefined : timeOf(body.end);
  if (endMs !== undefined && !Number.isFinite(endMs)) throw new InputError(`Injections file ${path}: "end" is not a date (${JSON.stringify(body.end)}).`);
  const injections = body.injections.map((raw, i) => {
    const inj = (raw ?? {}) as Record<string, unknown>;
    const bucketStartMs = timeOf(inj.bucket_start);
    if (!Number.isFinite(bucketStartMs)) throw new InputError(`Injections file ${path}: injections[${i}].bucket_start is not a date.`);
    if (inj.entity !== null && inj.entity !== undefined && typeof inj.entity !== 'string' && typeof inj.entity !== 'number') {
      throw new InputError(`Injections file ${path}: injections[${i}].entity must be a string or null.`);
    }
    return {
      label: typeof inj.label === 'string' ? inj.label : `injection ${i}`,
      bucketStartMs,
      entity: inj.entity === null || inj.entity === undefined ? null : String(inj.entity),
    };
  });
  return { endMs, injections };
}

export interface PredictFiles {
  job: string;
  data: string;
  injections?: string;
}

export async function predictFiles(files: PredictFiles, params?: EngineParams, tap?: EngineModelOptions['tap']): Promise<Prediction & { seconds: number }> {
  const started = process.hrtime.bigint();
  const jobBody = readJson(files.job, 'Job file');
  const inj = files.injections ? readInjections(files.injections) : { injections: [] };
  let model: EngineModel;
  try {
    model = new EngineModel(jobBody, { injections: inj.injections, params, tap });
  } catch (e) {
    throw new InputError(`Job file ${files.job}: ${(e as Error).message}.`);
  }
  const timeField = model.timeField;
  const stream = createReadStream(files.data, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e: NodeJS.ErrnoException) => reject(new InputError(`Data file ${files.data} cannot be read (${e.code ?? e.message}).`)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      throw new InputError(`Data file ${files.data} line ${n}: not JSON (${(e as Error).message}).`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(`Data file ${files.data} line ${n}: not a JSON object.`);
    const ts = timeOf(doc[timeField] ?? (doc as Record<string, Record<string, unknown>>)[timeField.split('.')[0]]?.[timeField.split('.').slice(1).join('.')]);
    if (!Number.isFinite(ts)) throw new InputError(`Data file ${files.data} line ${n}: "${timeField}" is missing or not a date.`);
    model.add(ts, doc);
  }
  const prediction = model.finish(inj.endMs);
  return { ...prediction, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
