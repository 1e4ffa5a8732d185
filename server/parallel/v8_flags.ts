/**
 * V8 flags set while the process runs (the CLI's heap bounds while it indexes, bin/connection.ts),
 * kept so they survive worker threads: starting a worker thread puts the process's V8 flags back
 * to what the command line gave (measured on Node 20: `--semi-space-growth-factor=1` set at run
 * time, then a worker started, and the main thread's new space grew from 2 to 32 MB again), so
 * startWorker (workers.ts) applies these again once the thread is up.
 */
import { setFlagsFromString } from 'node:v8';

const runtimeFlags: string[] = [];

/** Sets V8 flags now and again after every worker thread this process starts. */
export function setRuntimeV8Flags(...flags: string[]): void {
  for (const flag of flags) {
    if (!runtimeFlags.includes(flag)) runtimeFlags.push(flag);
    setFlagsFromString(flag);
  }
}

/** Applies the run-time flags again (a worker thread has just started). */
export function reapplyRuntimeV8Flags(): void {
  for (const flag of runtimeFlags) setFlagsFromString(flag);
}
