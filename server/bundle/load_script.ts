/**
 * The bundle's load.sh and README: how to put the offline bundle into a stack with curl (and
 * standard tools only: bash, date, split, grep, mktemp).
 *
 * Re-basing (load_bundle.ts explains why): curl cannot rewrite timestamps, so load.sh has
 * Elasticsearch do it, with an ingest pipeline whose one script processor adds the shift to
 * `@timestamp`. The pipeline is named for the namespace, marked as the tool's in its `_meta`, used
 * only by this load's bulk requests (`?pipeline=`) and deleted when the script exits.
 */
import { parseLookback } from '../generators/time';
import type { BundleManifest } from './manifest';

/** The script processor's source (the stand-in runs exactly this script; any other is refused there). */
export const REBASE_PAINLESS = "ctx['@timestamp'] = Instant.parse(ctx['@timestamp']).plusMillis(((Number) params.rebase.shift_ms).longValue()).toString();";

export const rebasePipelineName = (namespace: string) => `ml-demo-data-rebase-${namespace}`;

export function rebasePipelineBody(shiftMs: number | string): string {
  // Object-valued params and _meta: the official contract types their values as objects.
  return `{"description":"ml-demo-data: moves a bundle's @timestamp to the load time","_meta":{"ml_demo_data":{"managed_by":"ml-demo-data"}},"processors":[{"script":{"lang":"painless","source":${JSON.stringify(REBASE_PAINLESS)},"params":{"rebase":{"shift_ms":${shiftMs}}}}}]}`;
}

/**
 * The rules whose look-back does not reach their anomaly (the timeline's earlier stages, a weekend's
 * counts, a long bucket), and the earliest such bucket: load.sh runs them manually over it, as
 * `setup` and `load` do (run.ts), through the Detection Engine's bulk action `run` (Kibana 8.16+).
 */
export function lateRulesOf(m: BundleManifest): { ruleIds: string[]; earliest: string } | undefined {
  const late = m.anomalies.flatMap((a) => a.rules.filter((r) => !r.withinLookback).map((r) => ({ ruleId: r.ruleId, bucketStart: a.bucketStart })));
  if (!late.length) return undefined;
  return { ruleIds: [...new Set(late.map((l) => l.ruleId))].sort(), earliest: late.map((l) => l.bucketStart).sort()[0] };
}

export function loadScript(m: BundleManifest): string {
  // Each job with its own data start in seconds (a job that needs a longer history starts earlier).
  const jobs = m.jobs.map((j) => `${j.id}=${Math.floor(Date.parse(j.start ?? m.window.start) / 1000)}`).join(' ');
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const late = lateRulesOf(m);
  // Anomalies inside their rule's look-back when the bundle was written: still inside when the
  // rules are imported only if the load took less than the slack (the demo ends at the load's start
  // floored to 15 minutes). load.sh checks each against the clock then: rule:bucket:look-back seconds.
  const onTime = m.anomalies.flatMap((a) =>
    a.rules.filter((r) => r.withinLookback).map((r) => `${r.ruleId}:${seconds(a.bucketStart)}:${Math.floor(parseLookback(r.from) / 1000)}`),
  );
  // Single-quoted for bash, with the shift (known only when the script runs) spliced in.
  const [bodyHead, bodyTail] = rebasePipelineBody('__SHIFT_MS__').replace(/'/g, `'"'"'`).split('__SHIFT_MS__');
  return `#!/usr/bin/env bash
# Loads this ML demo bundle into an Elastic stack with curl.
#   ES_URL=https://localhost:9200 KIBANA_URL=http://localhost:5601 ELASTIC_API_KEY=... ./load.sh
#   (or ES_USERNAME / ES_PASSWORD instead of ELASTIC_API_KEY; CURL_OPTS=--insecure for self-signed certificates)
# The bundle's times are relative to its end (${m.window.end}): they are moved so the demo ends now
# (floored to 15 minutes), by an ingest pipeline that exists only while this script runs
# (needs the manage_ingest_pipelines privilege). REBASE=0 loads the documents at their own times.
set -euo pipefail
cd "$(dirname "$0")"
: "\${ES_URL:?set ES_URL}"
if [ -n "\${ELASTIC_API_KEY:-}" ]; then AUTH=(-H "Authorization: ApiKey \${ELASTIC_API_KEY}")
else AUTH=(-u "\${ES_USERNAME:-elastic}:\${ES_PASSWORD:?set ELASTIC_API_KEY or ES_PASSWORD}"); fi
CURL=(curl -sS --fail-with-body \${CURL_OPTS:-} "\${AUTH[@]}")
JSON=(-H 'Content-Type: application/json')
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ; }

BUNDLE_START=${seconds(m.window.start)}
BUNDLE_END=${seconds(m.window.end)}
if [ "\${REBASE:-1}" = 0 ]; then SHIFT=0; else NOW=$(date -u +%s); SHIFT=$(( NOW / 900 * 900 - BUNDLE_END )); fi
START_MS=$(( (BUNDLE_START + SHIFT) * 1000 ))
END_MS=$(( (BUNDLE_END + SHIFT) * 1000 ))
START_ISO=$(iso $(( BUNDLE_START + SHIFT )))
END_ISO=$(iso $(( BUNDLE_END + SHIFT )))

tmp=$(mktemp -d)
PIPELINE=${rebasePipelineName(m.options.namespace)}
BULK_QS=
cleanup() {
  rm -rf "$tmp"
  if [ -n "$BULK_QS" ]; then "\${CURL[@]}" -X DELETE "$ES_URL/_ingest/pipeline/$PIPELINE" >/dev/null 2>&1 || echo "  could not delete the ingest pipeline $PIPELINE; delete it with DELETE _ingest/pipeline/$PIPELINE"; fi
}
trap cleanup EXIT
if [ "$SHIFT" != 0 ]; then
  echo "0/5 Re-basing: the data ends $END_ISO (moved by $SHIFT s) through ingest pipeline $PIPELINE"
  BULK_QS="?pipeline=$PIPELINE"
  "\${CURL[@]}" -X PUT "$ES_URL/_ingest/pipeline/$PIPELINE" "\${JSON[@]}" -d '${bodyHead}'"$(( SHIFT * 1000 ))"'${bodyTail}' >/dev/null
fi

echo "1/5 Indexing documents (bulk create into data streams)"
for file in data/*.ndjson; do
  stream=$(basename "$file" .ndjson)
  split -l 20000 "$file" "$tmp/part-"
  for part in "$tmp"/part-*; do
    "\${CURL[@]}" -X POST "$ES_URL/$stream/_bulk$BULK_QS" -H 'Content-Type: application/x-ndjson' --data-binary "@$part" | grep -q '"errors":false' || echo "  some documents of $stream failed; see the _bulk response"
    rm "$part"
  done
  echo "  $stream"
done

echo "2/5 Creating ML jobs and starting their datafeeds over $START_ISO .. $END_ISO"
for entry in ${jobs}; do
  job=\${entry%%=*}; job_start_ms=$(( (\${entry#*=} + SHIFT) * 1000 ))
  "\${CURL[@]}" -X PUT "$ES_URL/_ml/anomaly_detectors/$job" "\${JSON[@]}" --data-binary "@ml/anomaly_detectors/$job.json" >/dev/null
  "\${CURL[@]}" -X PUT "$ES_URL/_ml/datafeeds/datafeed-$job" "\${JSON[@]}" --data-binary "@ml/datafeeds/datafeed-$job.json" >/dev/null
  "\${CURL[@]}" -X POST "$ES_URL/_ml/anomaly_detectors/$job/_open" >/dev/null
  "\${CURL[@]}" -X POST "$ES_URL/_ml/datafeeds/datafeed-$job/_start" "\${JSON[@]}" -d "{\\"start\\":$job_start_ms,\\"end\\":$END_MS}" >/dev/null
  echo "  $job"
done

echo "3/5 Waiting for the datafeeds to reach the end of the data (so the rules' first run sees the anomalies)"
deadline=$(( $(date -u +%s) + \${WAIT_SECONDS:-900} ))
for job in ${jobs}; do
  until "\${CURL[@]}" "$ES_URL/_ml/datafeeds/datafeed-$job/_stats" | grep -q '"state":"stopped"'; do
    if [ "$(date -u +%s)" -gt "$deadline" ]; then echo "  timed out waiting for datafeed-$job; it keeps running"; break; fi
    sleep 2
  done
done

if [ -n "\${KIBANA_URL:-}" ]; then
  SPACE_PATH=\${KIBANA_SPACE:+/s/$KIBANA_SPACE}
  echo "4/5 Making the jobs visible in Kibana (ML saved-object sync)"
  "\${CURL[@]}" "$KIBANA_URL$SPACE_PATH/api/ml/saved_objects/sync" -H 'kbn-xsrf: true' >/dev/null
  echo "5/5 Importing the ML detection rules"
  "\${CURL[@]}" -X POST "$KIBANA_URL$SPACE_PATH/api/detection_engine/rules/_import?overwrite=true" -H 'kbn-xsrf: true' -F "file=@rules/ml_rules.ndjson" >/dev/null
  # Rules whose look-back does not reach their anomaly: those placed so (${late?.ruleIds.length ?? 0}), and those the load's own
  # time pushed out of it. A manual run needs the rules enabled (they are) and a range in the past 90 days.
  LATE="${late?.ruleIds.join(' ') ?? ''}"; EARLIEST=${late ? seconds(late.earliest) : '""'}; NOW=$(date -u +%s)
  for item in ${onTime.join(' ')}; do
    IFS=: read -r rule bucket lookback <<< "$item"
    if [ $(( bucket + SHIFT )) -lt $(( NOW - lookback )) ]; then
      LATE="$LATE $rule"; if [ -z "$EARLIEST" ] || [ "$bucket" -lt "$EARLIEST" ]; then EARLIEST=$bucket; fi
    fi
  done
  if [ -n "$EARLIEST" ]; then
    LATE=$(printf '%s\\n' $LATE | sort -u | tr '\\n' ' '); COUNT=$(echo $LATE | wc -w | tr -d ' ')
    # KQL over the rules' saved objects, as the bulk action takes it; rule ids (a-z, 0-9, -) need no quotes.
    QUERY="alert.attributes.params.ruleId: ($(echo $LATE | sed 's/ / OR /g'))"
    RUN_START=$(( EARLIEST - 3600 + SHIFT )); OLDEST=$(( NOW - 90 * 86400 + 300 ))
    if [ "$RUN_START" -lt "$OLDEST" ]; then RUN_START=$OLDEST; fi
    echo "  manual rule run over $(iso $RUN_START) .. $END_ISO for $COUNT rule(s) whose look-back does not reach their anomaly (Kibana 8.16+)"
    "\${CURL[@]}" -X POST "$KIBANA_URL$SPACE_PATH/api/detection_engine/rules/_bulk_action" -H 'kbn-xsrf: true' "\${JSON[@]}" \\
      -d "{\\"action\\":\\"run\\",\\"query\\":\\"$QUERY\\",\\"run\\":{\\"start_date\\":\\"$(iso $RUN_START)\\",\\"end_date\\":\\"$END_ISO\\"}}" >/dev/null \\
      || echo "  the manual rule run failed (Kibana before 8.16 cannot run rules manually): only the anomalies inside their rules' look-back will alert"
  fi
  echo "Anomaly Explorer: $KIBANA_URL$SPACE_PATH/app/ml/explorer?_g=(ml:(jobIds:!(${m.jobs.map((j) => j.id).join(',')})),time:(from:'$START_ISO',mode:absolute,to:'$END_ISO'))"
  echo "Alerts:           $KIBANA_URL$SPACE_PATH/app/security/alerts"
else
  echo "4/5, 5/5 skipped: set KIBANA_URL to sync the jobs into Kibana and import the rules"
fi
`;
}

export function bundleReadme(m: BundleManifest): string {
  const stage = m.options.timeline ? (a: BundleManifest['anomalies'][number]) => ` ${a.stage ?? ''} |` : () => '';
  const rows = m.anomalies.map((a) => `| ${a.job} | ${a.function} | ${a.bucketStart} |${stage(a)} ${a.description.replace(/\|/g, '\\|')} |`).join('\n');
  const late = lateRulesOf(m);
  const placement = m.options.timeline
    ? `The anomalies tell one intrusion over about the last day (\`--timeline\`: reconnaissance, access, execution, exfiltration).
${
  late
    ? `${late.ruleIds.length} rules' look-back does not reach their anomaly: \`load.sh\` (with \`KIBANA_URL\`) and \`ml-demo-data load\` ask Kibana for a
manual rule run over them from ${late.earliest} (moved like everything else); Kibana runs rules manually from 8.16, and on an older
Kibana only the anomalies inside their rules' look-back alert.`
    : ''
}`
    : `The anomalies then sit in the last buckets, inside the look-back of the jobs' rules${late ? ` (except ${late.ruleIds.length}: \`load.sh\` and \`ml-demo-data load\` run those rules manually over their anomalies, Kibana 8.16+)` : ''}.`;
  return `# ML demo bundle

Generated by ml-demo-data (seed \`${m.options.seed}\`, ${m.options.historyDays} days ending ${m.window.end}, ${m.options.variant} job ids).
${m.totals.docs} documents in ${m.dataStreams.length} data streams, ${m.totals.jobs} ML jobs, ${m.rules.length} ML rules;
${m.totals.verified} of ${m.totals.jobs} jobs verified (see \`manifest.json\` → \`verify\`).

| path | what |
|---|---|
| \`data/<data stream>.ndjson\` | \`_bulk\` bodies (create actions) for \`POST <data stream>/_bulk\` |
| \`ml/anomaly_detectors/<job>.json\` | bodies for \`PUT _ml/anomaly_detectors/<job>\` |
| \`ml/datafeeds/datafeed-<job>.json\` | bodies for \`PUT _ml/datafeeds/datafeed-<job>\` |
| \`rules/ml_rules.ndjson\` | ML detection rules for Kibana's rule import (\`POST /api/detection_engine/rules/_import\`) |
| \`manifest.json\` | counts, time window, every injected anomaly, the verify table |
| \`load.sh\` | loads all of the above with curl: \`ES_URL=... KIBANA_URL=... ELASTIC_API_KEY=... ./load.sh\` |

The times are relative to the end (${m.window.end}): \`load.sh\` and \`ml-demo-data load\` move them so the data ends
at the load time and start each datafeed over the moved window. ${placement} A job that needs a longer history starts its datafeed at its own \`start\` (manifest.json). (At its own times: \`start\` ${m.window.start}, \`end\` ${m.window.end}, \`REBASE=0 ./load.sh\`.)

| job | function | bucket |${m.options.timeline ? ' stage |' : ''} anomaly |
|---|---|---|${m.options.timeline ? '---|' : ''}---|
${rows}
`;
}
