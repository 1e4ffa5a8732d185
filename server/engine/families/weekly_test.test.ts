/** The weekday/weekend test: its F tail against tabled values, and what it keeps or refuses. */
import { fTail, normalTail, WeekdayWeekendTest } from './weekly_test';

const SPAN = 900_000;
const SLOTS = 24;

/** Feeds `days` of 15-minute counts from `count(weekend, hour, i)`, starting on a Monday. */
function fed(days: number, count: (weekend: number, hour: number, i: number) => number) {
  const test = new WeekdayWeekendTest(SLOTS);
  for (let i = 0; i < days * 96; i++) {
    const day = Math.floor(i / 96);
    const weekend = day % 7 >= 5 ? 1 : 0;
    const hour = Math.floor((i % 96) / 4);
    test.add(weekend, hour, count(weekend, hour, i), 1);
  }
  return test;
}

/** Counts of 6 +-1, the same every day. */
const lcg = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3) - 1;

describe('weekday/weekend test', () => {
  it('computes tails close to the tables', () => {
    expect(normalTail(1.6449)).toBeCloseTo(0.05, 4);
    expect(normalTail(-1.6449)).toBeCloseTo(0.95, 4);
    expect(fTail(1.927, 10, 100)).toBeCloseTo(0.05, 2);
    expect(fTail(4.1, 5, 20)).toBeCloseTo(0.01, 2);
    expect(fTail(0, 3, 30)).toBe(1);
  });

  it('keeps the split of office hours that only weekdays have, even when weekends keep most of the mean', () => {
    const noise = lcg(3);
    const office = fed(21, (weekend, hour) => 6 + (!weekend && hour >= 8 && hour < 18 ? 8 : 0) + noise());
    expect(office.significant(21, SPAN)).toBe(true);
    // Not before the engine holds 1.9 weeks of values.
    expect(office.significant(13, SPAN)).toBe(false);
  });

  it("refuses a split of one event in 784, a steady server's rounding", () => {
    const noise = lcg(7);
    const steady = fed(21, (weekend) => 784 + weekend + noise());
    expect(steady.significant(21, SPAN)).toBe(false);
  });

  it('refuses the split of a series that is the same every day', () => {
    const noise = lcg(5);
    const flat = fed(42, (_weekend, hour) => 6 + (hour >= 8 && hour < 18 ? 8 : 0) + noise());
    expect(flat.significant(42, SPAN)).toBe(false);
  });
});
