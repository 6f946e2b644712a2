import type { CanaryRunInput } from '../orchestrator/event.js';
import { integerOption, listOption } from '../shared/command-line/parse-command-line.js';
import { UsageError } from '../shared/command-line/usage-error.js';
import { LIMITS } from '../shared/config.js';

/** The options `run` and `invoke` share: they shape the same run input. */
export const CANARY_RUN_OPTIONS = {
  targets: { type: 'string' },
  released: { type: 'boolean' },
  attempts: { type: 'string' },
  json: { type: 'boolean' },
  wide: { type: 'boolean' },
} as const;

export const CANARY_RUN_OPTIONS_HELP = `  --targets a,b      probe only these targets (names from the config; default: all)
  --released         judge as if AWS had lifted the account's port-25 restriction
                     (overrides the config's port25Released)
  --attempts N       probe attempts per target, ${LIMITS.attempts.min}-${LIMITS.attempts.max} (default: the config's probe.attempts)
  --json             print the report as one JSON object instead of a table
  --wide             the table with every column at full width (it fits 120 columns otherwise)`;

interface CanaryRunValues {
  readonly targets?: string | undefined;
  readonly released?: boolean | undefined;
  readonly attempts?: string | undefined;
}

export function runInputFromOptions(values: CanaryRunValues): CanaryRunInput {
  const targets = listOption('targets', values.targets);
  const attempts = integerOption('attempts', values.attempts, LIMITS.attempts.min, LIMITS.attempts.max);
  return {
    ...(targets === undefined ? {} : { targets }),
    ...(values.released === true ? { released: true } : {}),
    ...(attempts === undefined ? {} : { attempts }),
  };
}

/**
 * `run` and `invoke` take options only. A bare word was most likely meant for the one option that takes a name
 * (`run FILE` → `--config FILE`, `invoke NAME` → `--function NAME`): the error says so.
 */
export function rejectPositionals(positionals: readonly string[], meantOption: string): void {
  const [first] = positionals;
  if (first === undefined) return;
  throw new UsageError(
    `unexpected argument ${JSON.stringify(first)} (options only; did you mean ${meantOption} ${first}?)`,
  );
}
