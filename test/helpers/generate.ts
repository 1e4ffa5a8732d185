/** Test helpers: plans with a fixed end time, and the whole stream of a plan in memory. */
import { SUPPORTED_MODULE_IDS } from '../../common/catalogue';
import type { GenerateOptions } from '../../server/generators/options';
import { buildPlan, type Plan } from '../../server/generators/plan';
import { moduleStream } from '../../server/generators/stream';
import { engineVerify, type EngineJobResult } from '../../server/verify/engine_verify';

export const FIXED_END = '2026-11-20T10:07:00Z';

export function testPlan(overrides: Partial<GenerateOptions> = {}): Plan {
  return buildPlan({ modules: [...SUPPORTED_MODULE_IDS], end: FIXED_END, ...overrides });
}

export function verifyPlan(plan: Plan): EngineJobResult[] {
  return engineVerify(plan);
}

export function collect(plan: Plan, moduleId: string): string {
  const module = plan.modules.find((m) => m.moduleId === moduleId)!;
  let out = '';
  for (const chunk of moduleStream(plan, module)) out += chunk.ndjson;
  return out;
}
