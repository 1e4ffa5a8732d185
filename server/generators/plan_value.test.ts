/**
 * A plan is a value: streaming it twice gives the same bytes (the warm-up's round-robin cursors
 * live in the stream, not in the lanes), so the indexer's retry and the verifier's second pass
 * see exactly the documents the first pass wrote.
 */
import { createHash } from 'node:crypto';
import { testPlan } from '../../test/helpers/generate';
import { moduleStream } from './stream';

it('streams one plan twice with identical bytes', () => {
  const plan = testPlan({ historyDays: 4 });
  const hash = () => {
    const h = createHash('sha256');
    for (const m of plan.modules) for (const c of moduleStream(plan, m)) h.update(c.ndjson);
    return h.digest('hex');
  };
  const first = hash();
  expect(hash()).toBe(first);
});
