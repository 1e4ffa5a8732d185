/**
 * The four doors to the generation options — the command line's flags, the route's codec, the
 * page's form and the generator's resolveOptions — must accept and refuse exactly the same values,
 * because they are all derived from one schema (common/options.ts). Each candidate is the value a
 * program sends (route, resolveOptions) and its text as a person types it (flag, form field).
 */
import { decode, StartRunRequest } from '../common/api';
import { DEFAULT_OPTIONS as SCHEMA_DEFAULTS, LIMITS, THEME_NAMES, VARIANTS } from '../common/options';
import { toGenerateOptions, type GenerationFlags } from '../bin/generation_options';
import { resolveOptions } from '../server/generators/options';
import { DEFAULT_OPTIONS as FORM_DEFAULTS, validateOptions, type OptionsValue } from './components/options_form';

const NOW = Date.now();

const numbers = (min: number, max: number) => [min - 1, min - 0.5, min, min + 0.5, Math.floor((min + max) / 2), max, max + 0.5, max + 1, 0, -1, 1e21, 1.0000000001, NaN, Infinity];

/** Candidate values per option, with the flag and the form field they go through. */
const CASES: { name: string; flag: keyof GenerationFlags; form?: keyof OptionsValue; values: unknown[] }[] = [
  { name: 'historyDays', flag: 'historyDays', form: 'historyDays', values: numbers(LIMITS.historyDays.min, LIMITS.historyDays.max) },
  { name: 'scale', flag: 'scale', form: 'scale', values: [...numbers(LIMITS.scale.min, LIMITS.scale.max), 1.25, 99.999, 2.5] },
  { name: 'anomaliesPerJob', flag: 'anomaliesPerJob', form: 'anomaliesPerJob', values: numbers(LIMITS.anomaliesPerJob.min, LIMITS.anomaliesPerJob.max) },
  { name: 'seed', flag: 'seed', form: 'seed', values: ['ml-demo-data', 'a', 'x'.repeat(64), 'x'.repeat(65), '', 'has space', 'dots.and_under-score', 'é', 'a/b', 'a\nb'] },
  { name: 'namespace', flag: 'namespace', form: 'namespace', values: ['default', 'a_b_1', 'x'.repeat(100), 'x'.repeat(101), '', 'Bad', 'a-b', 'x,my-template', '*', 'a b'] },
  { name: 'theme', flag: 'theme', values: [...THEME_NAMES, 'constructor', '__proto__', 'ACME', ''] },
  { name: 'variant', flag: 'variant', values: [...VARIANTS, 'eA', '', 'classic '] },
  { name: 'end', flag: 'end', values: ['2026-11-20T10:07:00Z', '2026-11-20T10:07Z', '2026-02-30T00:00:00Z', '1999-12-31T23:59:59Z', '2026-11-20', '0', ''] },
];

const accepts = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

describe('CLI, route and form reject and accept exactly the same option values', () => {
  for (const { name, flag, form, values } of CASES) {
    it.each(values.map((v) => [v]))(`${name} %p`, (value) => {
      const text = String(value);
      // Variant is not part of the page's StartRunRequest (the stack's version decides it there).
      const route = name === 'variant' ? undefined : decode(StartRunRequest, { [name]: value }).ok;
      const generator = accepts(() => resolveOptions({ modules: ['security_auth'], [name]: value }, NOW));
      const cli = accepts(() => toGenerateOptions({ modules: 'security_auth', [flag]: text }));
      const verdicts: Record<string, boolean | undefined> = { generator, cli, route };
      if (form) verdicts.form = validateOptions({ ...FORM_DEFAULTS, [form]: text }, 1)[form] === undefined;
      const expected = Object.fromEntries(Object.entries(verdicts).filter(([, v]) => v !== undefined).map(([k]) => [k, generator]));
      expect(Object.fromEntries(Object.entries(verdicts).filter(([, v]) => v !== undefined))).toEqual(expected);
    });
  }

  it('the form starts from the schema defaults, and they pass every door', () => {
    expect(FORM_DEFAULTS).toMatchObject({
      historyDays: String(SCHEMA_DEFAULTS.historyDays),
      seed: SCHEMA_DEFAULTS.seed,
      namespace: SCHEMA_DEFAULTS.namespace,
      scale: String(SCHEMA_DEFAULTS.scale),
      anomaliesPerJob: String(SCHEMA_DEFAULTS.anomaliesPerJob),
      theme: SCHEMA_DEFAULTS.theme,
    });
    expect(validateOptions(FORM_DEFAULTS, 1)).toEqual({});
    const { variant: _variant, ...routeDefaults } = SCHEMA_DEFAULTS;
    expect(decode(StartRunRequest, routeDefaults).ok).toBe(true);
    expect(() => resolveOptions({ modules: ['security_auth'], ...SCHEMA_DEFAULTS })).not.toThrow();
  });
});
