/**
 * Picking by quantile (WeightedPicker.pickAt) is what keeps a host's or an IP's ordinary bucket
 * from looking like a spike to the engine: n picks at (u0 + i) / n give each item its share
 * within one, where independent picks scatter like Poisson counts.
 */
import { Random, WeightedPicker } from './random';

const weights = [5, 3, 1, 1, 0, 2];
const items = weights.map((_, i) => i);
const picker = new WeightedPicker(items, weights);
const total = weights.reduce((a, b) => a + b, 0);

it('n stratified picks give every item its expected count within one', () => {
  const random = new Random('strata');
  const rest = new Float64Array(1);
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(random.next() * 60);
    const u0 = random.next();
    const counts = new Array(items.length).fill(0);
    for (let i = 0; i < n; i++) counts[picker.pickAt((u0 + i) / n, rest)]++;
    counts.forEach((c, k) => expect(Math.abs(c - (n * weights[k]) / total)).toBeLessThanOrEqual(1));
  }
});

it('the residual is uniform inside the chosen share, so a dependent pick is stratified too', () => {
  const rest = new Float64Array(1);
  const seen: number[] = [];
  for (let i = 0; i < 1000; i++) {
    if (picker.pickAt((i + 0.5) / 1000, rest) === 0) seen.push(rest[0]);
  }
  // Item 0 holds 5/12 of the range: its residuals cover [0, 1) evenly.
  expect(seen.length).toBeGreaterThan(400);
  const deciles = new Array(10).fill(0);
  for (const r of seen) deciles[Math.floor(r * 10)]++;
  for (const d of deciles) expect(Math.abs(d - seen.length / 10)).toBeLessThanOrEqual(1);
});

it('independent picks, for comparison, do scatter', () => {
  const random = new Random('poisson');
  let worst = 0;
  for (let round = 0; round < 200; round++) {
    const counts = new Array(items.length).fill(0);
    for (let i = 0; i < 48; i++) counts[picker.pick(random)]++;
    counts.forEach((c, k) => (worst = Math.max(worst, Math.abs(c - (48 * weights[k]) / total))));
  }
  expect(worst).toBeGreaterThan(3);
});
