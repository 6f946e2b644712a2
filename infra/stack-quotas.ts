import { statSync } from 'node:fs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { InputError } from '../functions/shared/errors.js';

/**
 * What CloudFormation accepts of one stack (AWS CloudFormation User Guide, "Understand CloudFormation quotas",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): a template body in an S3
 * object of at most 1 MB (the CDK CLI uploads every template larger than 51,200 bytes to S3), 500 resources and 200
 * outputs. 1 MB is read as 1,000,000 bytes, the lower of its two readings.
 */
export const CLOUDFORMATION_QUOTAS = {
  templateBytes: 1_000_000,
  resources: 500,
  outputs: 200,
} as const;

export type StackQuotas = { readonly [K in keyof typeof CLOUDFORMATION_QUOTAS]: number };

/** A synthesized stack CloudFormation would refuse; the message names the stack, what was measured and the limit. */
export class StackQuotaError extends InputError {
  constructor(readonly problems: readonly string[]) {
    super(
      `${problems.join('; ')}. CloudFormation would refuse ${problems.length === 1 ? 'this stack' : 'these stacks'}: split the targets over more stacks or vantages`,
    );
    this.name = 'StackQuotaError';
  }
}

/** Each quota a stack breaks, measured on its template file as written to the cloud assembly. */
export function stackQuotaProblems(assembly: CloudAssembly, quotas: StackQuotas = CLOUDFORMATION_QUOTAS): string[] {
  const problems: string[] = [];
  for (const stack of assembly.stacks) {
    const bytes = statSync(stack.templateFullPath).size;
    const template = stack.template as { Resources?: object; Outputs?: object };
    const resources = Object.keys(template.Resources ?? {}).length;
    const outputs = Object.keys(template.Outputs ?? {}).length;
    if (bytes > quotas.templateBytes)
      problems.push(
        `stack ${stack.stackName}: template is ${bytes} bytes, more than the ${quotas.templateBytes} allowed`,
      );
    if (resources > quotas.resources)
      problems.push(`stack ${stack.stackName}: ${resources} resources, more than the ${quotas.resources} allowed`);
    if (outputs > quotas.outputs)
      problems.push(`stack ${stack.stackName}: ${outputs} outputs, more than the ${quotas.outputs} allowed`);
  }
  return problems;
}

/** Throws StackQuotaError when any stack of the assembly breaks a quota. */
export function checkStackQuotas(assembly: CloudAssembly, quotas: StackQuotas = CLOUDFORMATION_QUOTAS): void {
  const problems = stackQuotaProblems(assembly, quotas);
  if (problems.length > 0) throw new StackQuotaError(problems);
}
