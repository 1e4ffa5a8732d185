/**
 * Re-basing cost on the client: streams a bundle's data files through the loader with and without
 * the @timestamp rewrite (what `load` adds over sending the files as they are, which is all an
 * ingest pipeline would leave to the client). `BENCH_DIR=<bundle> node -r ./dev/register.js scripts/bench_rebase.ts`
 */
import { join } from 'node:path';
import { bundleDocuments, readBundle } from '../server/bundle/load_bundle';
import { DAY } from '../server/generators/time';

async function pass(dir: string, files: string[], shift: number): Promise<{ docs: number; ms: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  let docs = 0;
  let bytes = 0;
  for (const f of files)
    for await (const d of bundleDocuments(join(dir, f), shift)) {
      docs++;
      bytes += d.length;
    }
  return { docs, bytes, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

(async () => {
  const dir = process.env.BENCH_DIR ?? 'ml-demo-bundle';
  const files = readBundle(dir).dataStreams.map((d) => d.file);
  for (let round = 0; round < 3; round++) {
    const plain = await pass(dir, files, 0);
    const shifted = await pass(dir, files, DAY + 15 * 60_000);
    const rate = (r: { docs: number; ms: number }) => Math.round(r.docs / (r.ms / 1000));
    console.log(
      `round ${round}: ${plain.docs} docs; as they are ${plain.ms.toFixed(0)} ms (${rate(plain)} docs/s); re-based ${shifted.ms.toFixed(0)} ms (${rate(shifted)} docs/s); +${(((shifted.ms - plain.ms) * 1000) / plain.docs).toFixed(2)} µs/doc`,
    );
  }
})();
