/** The one options schema: dates, numbers, names and the limits the verifier can pass (issue 10). */
import { decode, StartRunRequest } from './api';
import { endCheck, LIMITS, OPTION_CHECKS, OptionsError, parseIsoUtc, parseOptionText, show, THEME_NAMES } from './options';
import { THEMES } from '../server/generators/vocabulary';
import { resolveOptions } from '../server/generators/options';
import { testPlan, verifyPlan } from '../test/helpers/generate';

const NOW = Date.parse('2026-12-05T12:00:00Z');

describe('end dates', () => {
  const check = endCheck(NOW);
  it.each(['2000-01-01T00:00:00Z', '2026-11-20T10:07:00Z', '2026-11-20T10:07Z', '2026-11-20T10:07:00.5Z', '2024-02-29T00:00:00Z', '2026-12-06T12:00:00Z'])('accepts %s', (v) => {
    expect(check(v)).toBeUndefined();
  });
  it.each([
    ['2026-02-30T00:00:00Z', /a date and time that exist/], // was rolled to March 2
    ['2025-02-29T00:00:00Z', /a date and time that exist/],
    ['2026-04-31T00:00:00Z', /a date and time that exist/],
    ['2026-11-20T24:00:00Z', /a date and time that exist/],
    ['0000-01-01T00:00:00Z', /from 2000-01-01T00:00:00Z to one day ahead of now/], // was accepted, then every document rejected
    ['1970-01-01T00:00:00Z', /from 2000-01-01/],
    ['1999-12-31T23:59:59Z', /from 2000-01-01/],
    ['9999-12-31T00:00:00Z', /from 2000-01-01/],
    ['2026-12-06T12:01:00Z', /one day ahead of now \(2026-12-06T12:00:00.000Z\)/],
    ['0', /ISO 8601 UTC time/], // was taken as a date
    ['2026', /ISO 8601 UTC time/],
    ['1700000000000', /ISO 8601 UTC time/], // epoch milliseconds are not accepted, and no message says they are
    ['2026-11-20', /ISO 8601 UTC time/],
    ['2026-11-20T10:00:00+01:00', /ISO 8601 UTC time/],
  ])('refuses %s', (v, message) => {
    expect(check(v)).toMatch(message);
  });
  it('parses to the exact instant', () => {
    expect(parseIsoUtc('2026-11-20T10:07:00.250Z')).toBe(Date.parse('2026-11-20T10:07:00.250Z'));
    expect(parseIsoUtc('2026-02-30T00:00:00Z')).toBeUndefined();
  });
  it('resolveOptions applies the same range to Date and epoch inputs', () => {
    expect(() => resolveOptions({ modules: ['security_auth'], end: 0 }, NOW)).toThrow(/end must be from 2000-01-01/);
    expect(() => resolveOptions({ modules: ['security_auth'], end: new Date('9999-01-01') }, NOW)).toThrow(OptionsError);
    expect(resolveOptions({ modules: ['security_auth'], end: '2026-11-20T10:07:00Z' }, NOW).end).toBe(Date.parse('2026-11-20T10:07:00Z'));
  });
});

describe('numbers from text (CLI flags, form fields) are as strict as the route', () => {
  it.each(['3.5', '0x5', '', ' 3', '3 ', '1e1', '+3', '-3', 'Infinity', '03x'])('--history-days %j is refused', (text) => {
    expect(() => parseOptionText('historyDays', text, '--history-days')).toThrow(/^--history-days must be between 3 and 90 days/);
  });
  it('accepts whole numbers in range', () => {
    expect(parseOptionText('historyDays', '14', '--history-days')).toBe(14);
    expect(parseOptionText('scale', '2.5', '--scale')).toBe(2.5);
  });
  it.each(['1e-9', '0.5', '0', '.5', '1e2', '101'])('--scale %j is refused', (text) => {
    expect(() => parseOptionText('scale', text, '--scale')).toThrow(/^--scale must be a (decimal )?number from 1 to 100/);
  });
});

describe('themes', () => {
  it('are the generator\'s themes, and prototype names are not themes', () => {
    expect([...THEME_NAMES].sort()).toEqual(Object.keys(THEMES).sort());
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(OPTION_CHECKS.theme(name)).toMatch(/must be one of acme, globex/);
      expect(() => resolveOptions({ modules: ['security_auth'], theme: name })).toThrow(OptionsError); // crashed before
      expect(decode(StartRunRequest, { theme: name })).toMatchObject({ ok: false });
    }
  });
});

describe('scale', () => {
  it('refuses what the verifier cannot pass (1e-9 made 103 documents that verify rejects)', () => {
    expect(OPTION_CHECKS.scale(1e-9)).toMatch(/from 1 to 100/);
    expect(decode(StartRunRequest, { scale: 1e-9 })).toMatchObject({ ok: false });
    expect(() => resolveOptions({ modules: ['security_auth'], scale: 0.5 })).toThrow(/scale must be a number from 1 to 100/);
  });
  it('at the smallest scale allowed, every job of every module reads data and gets a prediction in both scopes', () => {
    const results = verifyPlan(testPlan({ scale: LIMITS.scale.min, modules: ['security_auth', 'security_network'] }));
    expect(results.length).toBeGreaterThan(8);
    for (const r of results) {
      expect({ job: r.jobId, stream: (r.scopes.stream?.docs ?? 0) > 0, all: (r.scopes.all?.docs ?? 0) > 0 }).toEqual({ job: r.jobId, stream: true, all: true });
      expect(r.scopes.stream!.anomalies.length).toBe(1);
    }
  }, 120_000);
});

describe('messages', () => {
  it('echo at most a short prefix of a value', () => {
    expect(show('x'.repeat(5_000_000)).length).toBeLessThan(50);
    expect(show(Infinity)).toBe('Infinity');
    expect(show({ a: 1 })).toBe('an object');
  });
});
