/** `list`: the modules, their jobs (classic and 9.4+ ids), detectors and rules. */
import { Option, type Command } from 'commander';
import type { Cli } from '../cli';
import { catalogue, getJob, rulesForJob } from '../../common/catalogue';

export function listCommand(program: Command, { log }: Cli): void {
  program
    .command('list')
    .description('list the Security ML modules, their jobs and the rules that read them')
    .addOption(new Option('--variant <ids>', 'classic or ea').choices(['classic', 'ea']).default('classic'))
    .action((flags: { variant: string }) => {
      for (const module of catalogue.modules) {
        const ids = flags.variant === 'ea' ? module.eaJobIds : module.classicJobIds;
        log(`${module.id}  ${module.title} (${ids.length} jobs)`);
        for (const id of ids) {
          const job = getJob(id);
          const d = job.job.analysis_config.detectors[0];
          const split = [d.field_name && `of ${d.field_name}`, d.by_field_name && `by ${d.by_field_name}`, d.over_field_name && `over ${d.over_field_name}`, d.partition_field_name && `partition ${d.partition_field_name}`].filter(Boolean).join(' ');
          const rules = rulesForJob(id).map((r) => `${r.name} (>= ${r.anomaly_threshold})`).join('; ');
          log(`  ${id.padEnd(48)} ${`${d.function} ${split}`.padEnd(60)} ${job.job.analysis_config.bucket_span.padEnd(4)} ${rules || '(no prebuilt rule)'}`);
        }
      }
    });
}
