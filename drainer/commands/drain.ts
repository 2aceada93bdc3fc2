/** `drain [DATA_DIR]`: the image's main job. Options and environment: drain/options.ts. */
import type { Logger } from 'pino';
import { ExitCode } from '../exit-codes.js';
import { OptionsError, resolveDrainOptions } from '../drain/options.js';
import { runDrain } from '../drain/run-drain.js';

export async function runDrainCommand(dir: string | undefined, flags: Record<string, string | boolean | string[] | undefined>, log: Logger): Promise<number> {
  let opts;
  try {
    opts = resolveDrainOptions(flags, process.env, dir);
  } catch (e) {
    if (e instanceof OptionsError) {
      log.error(e.message);
      return ExitCode.USAGE;
    }
    throw e;
  }
  log.info(
    {
      dataDir: opts.dataDir,
      targets: opts.targets,
      headlessService: opts.headlessService,
      namespace: opts.namespace,
      logins: opts.credentials.map((c) => `${c.source}:${c.user}`),
      window: opts.window,
      stateDir: opts.stateDir,
    },
    'drain configuration',
  );
  return runDrain(opts, log);
}
