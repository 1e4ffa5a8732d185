/** `POST /_bulk` and `POST /{index}/_bulk`: per-item results like Elasticsearch's. */
import { runPipeline } from './ingest';
import { randomBytes } from 'node:crypto';
import { backingIndex, checkBulkBody, matchTemplate, newDataStream } from './es_routes';
import { ok, type Ctx, type Reply, type RouteDef, type Shared } from './server';
import { esError, forbidden, hasIndexPrivilege, parseTimestamp, type DataStreamState } from './state';

let seqNo = 0;

function newId(): string {
  return randomBytes(15).toString('base64url').slice(0, 20);
}

type Item = Record<string, Record<string, unknown>>;

function failure(op: string, index: string, id: string | undefined, status: number, type: string, reason: string): Item {
  return { [op]: { _index: index, ...(id ? { _id: id } : {}), status, error: { type, reason, ...(index ? { index_uuid: `uuid-${index}`, index } : {}) } } };
}

function rejection(): { type: string; reason: string } {
  return {
    type: 'es_rejected_execution_exception',
    reason:
      'rejected execution of coordinating operation [coordinating_and_primary_bytes=52428800, replica_bytes=0, all_bytes=52428800, coordinating_operation_bytes=1048576, max_coordinating_and_primary_bytes=53687091]',
  };
}

export function bulkRoutes(shared: Shared, keepDocs: number): RouteDef[] {
  const s = shared.state;

  const target = (name: string): { ds?: DataStreamState; isStream: boolean; error?: Item[string]; created?: boolean } => {
    const existing = s.dataStreams.get(name);
    if (existing) return { ds: existing, isStream: true };
    const idx = s.indices.get(name);
    if (idx) return { ds: idx, isStream: false };
    if (!/^[a-z0-9][^\\/*?"<>| ,#:]*$/.test(name) || name !== name.toLowerCase()) {
      return { isStream: false, error: { status: 400, error: { type: 'invalid_index_name_exception', reason: `Invalid index name [${name}], must be lowercase and must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]` } } };
    }
    if (!hasIndexPrivilege(shared.privileges, name, 'auto_configure')) {
      const f = forbidden(shared.privileges, 'indices:admin/auto_create', ['auto_configure', 'create_index', 'manage', 'all'], 'index', [name]);
      return { isStream: false, error: { status: 403, error: (f.body as { error: Record<string, unknown> }).error } };
    }
    const t = matchTemplate(shared, name);
    const ds = newDataStream(name, t?.name ?? '');
    if (t?.body.data_stream) {
      s.dataStreams.set(name, ds);
      return { ds, isStream: true, created: true };
    }
    s.indices.set(name, ds);
    return { ds, isStream: false, created: true };
  };

  const bulk = (ctx: Ctx): Reply => {
    const started = Date.now();
    if (shared.faults.takeBulkRejection()) {
      const r = rejection();
      return esError(429, r.type, r.reason);
    }
    const lines = (ctx.body as string).split('\n').filter((l) => l.trim() !== '');
    const items: Item[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i++) {
      const action = JSON.parse(lines[i]) as Record<string, Record<string, unknown>>;
      const op = Object.keys(action)[0];
      const meta = action[op] ?? {};
      let doc = op === 'delete' ? undefined : (JSON.parse(lines[++i]) as Record<string, unknown>);
      const name = String(meta._index ?? ctx.params.index ?? '');
      const explicitId = meta._id === undefined ? undefined : String(meta._id);
      const push = (item: Item) => {
        const body = item[op];
        if (Number(body.status) >= 300) errors = true;
        items.push(item);
      };
      if (!name) return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
      const fault = shared.faults.takeItemFault();
      if (fault) {
        const def = fault.status === 429 ? rejection() : fault.status === 400 ? { type: 'document_parsing_exception', reason: '[1:1] failed to parse (injected by stand-in)' } : { type: 'exception', reason: `injected item failure (${fault.status})` };
        push(failure(op, name, explicitId, fault.status, fault.type ?? def.type, fault.reason ?? def.reason));
        continue;
      }
      const writePriv = op === 'delete' ? 'delete' : op === 'update' ? 'index' : 'create_doc';
      if (!hasIndexPrivilege(shared.privileges, name, writePriv)) {
        const f = forbidden(shared.privileges, 'indices:data/write/bulk[s]', ['create_doc', 'create', 'index', 'write', 'all'], 'index', [name]);
        push({ [op]: { _index: name, ...(explicitId ? { _id: explicitId } : {}), status: 403, error: (f.body as { error: Record<string, unknown> }).error } });
        continue;
      }
      const t = target(name);
      if (t.error) {
        push({ [op]: { _index: name, ...(explicitId ? { _id: explicitId } : {}), ...t.error } });
        continue;
      }
      const ds = t.ds!;
      const isCreate = op === 'create' || (op === 'index' && meta.op_type === 'create') || (op === 'index' && ctx.q.op_type === 'create');
      if (t.isStream && !isCreate) {
        push(failure(op, name, explicitId, 400, 'illegal_argument_exception', `only write ops with an op_type of create are allowed in data streams`));
        continue;
      }
      const index = t.isStream ? backingIndex(ds) : name;
      if (op === 'delete' || op === 'update') {
        push(failure(op, index, explicitId, 404, 'document_missing_exception', `[${explicitId}]: document missing`));
        continue;
      }
      const pipeline = meta.pipeline ?? ctx.q.pipeline;
      if (doc && pipeline !== undefined && pipeline !== '_none') {
        const ran = runPipeline(shared, String(pipeline), doc);
        if ('error' in ran) {
          push(failure(op, index, explicitId, 400, ran.error.type, ran.error.reason));
          continue;
        }
        doc = ran.doc;
      }
      const ts = parseTimestamp(doc?.['@timestamp']);
      if (t.isStream && ts === undefined) {
        const reason = doc && '@timestamp' in doc ? `failed to parse field [@timestamp] of type [date] in document with id '${explicitId ?? newId()}'` : `[1:2] failed to parse: data stream timestamp field [@timestamp] is missing`;
        push(failure(op, index, explicitId, 400, 'document_parsing_exception', reason));
        continue;
      }
      if (explicitId && isCreate && ds.ids.has(explicitId)) {
        push(failure(op, index, explicitId, 409, 'version_conflict_engine_exception', `[${explicitId}]: version conflict, document already exists (current version [1])`));
        continue;
      }
      const id = explicitId ?? newId();
      if (explicitId) ds.ids.add(explicitId);
      ds.docCount += 1;
      if (ts !== undefined) ds.timestamps.push(ts);
      if (ds.docs.length < keepDocs && doc) ds.docs.push(doc);
      push({
        [op]: {
          _index: index,
          _id: id,
          _version: 1,
          result: 'created',
          _shards: { total: 2, successful: 1, failed: 0 },
          _seq_no: seqNo++,
          _primary_term: 1,
          status: 201,
        },
      });
    }
    return ok({ errors, took: Date.now() - started, items });
  };

  const def = (path: string, method: string): RouteDef => ({ method, path, contract: 'elasticsearch', rawBody: true, check: checkBulkBody, handler: bulk });
  return [def('/_bulk', 'POST'), def('/_bulk', 'PUT'), def('/{index}/_bulk', 'POST'), def('/{index}/_bulk', 'PUT')];
}
