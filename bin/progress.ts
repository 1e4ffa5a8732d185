/** A progress bar on stderr when it is a terminal; nothing otherwise (CI logs stay clean). */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(fraction: number, payload: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(label: string, format = '{bar} {percentage}% | {docs} docs | {module}'): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({ format: `${label} ${format}`, stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  bar.start(1000, 0, { docs: 0, module: '' });
  return {
    update: (fraction, payload) => bar.update(Math.round(fraction * 1000), payload),
    stop: () => bar.stop(),
  };
}
