/** Kibana loads `public/index.ts` and calls `plugin(initializerContext)`. */
import { MlDemoDataPlugin } from './plugin';

export function plugin() {
  return new MlDemoDataPlugin();
}

export type { MlDemoDataPlugin };
