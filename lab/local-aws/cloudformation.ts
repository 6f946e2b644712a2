/**
 * CloudFormation's DescribeStacks in the service's own protocol (awsQuery: a form-encoded POST with Action and
 * Version, an XML answer in the 2010-05-15 namespace), serving the lab's synthesized stack and its resolved outputs,
 * so `port25-canary run --stack` reads them as it would from AWS.
 */

export const CLOUDFORMATION_XML_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const API_VERSION = '2010-05-15';

export interface LocalStackOutput {
  readonly key: string;
  readonly value: string;
  readonly description?: string | undefined;
}

export interface LocalStack {
  readonly stackName: string;
  readonly outputs: readonly LocalStackOutput[];
}

export interface QueryAnswer {
  readonly statusCode: number;
  readonly body: string;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function errorAnswer(statusCode: number, code: string, message: string, requestId: string): QueryAnswer {
  return {
    statusCode,
    body: `<ErrorResponse xmlns="${CLOUDFORMATION_XML_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** A stack as deployed at `createdAt` in the lab's account and region. */
export class LocalCloudFormation {
  private readonly stacks = new Map<string, LocalStack & { readonly stackId: string }>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly createdAt: Date = new Date(),
  ) {}

  addStack(stack: LocalStack): void {
    const stackId = `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${stack.stackName}/00000000-0000-4000-8000-${String(this.stacks.size + 1).padStart(12, '0')}`;
    this.stacks.set(stack.stackName, { ...stack, stackId });
  }

  /** The UUID part of a deployed stack's ID, for the ARN DescribeStacks is authorized against. */
  stackIdOf(name: string): string | undefined {
    return this.stacks.get(name)?.stackId.split('/').at(-1);
  }

  /** Answers one form-encoded request; the caller has checked the signature. */
  handle(form: URLSearchParams, requestId: string): QueryAnswer {
    const action = form.get('Action');
    if (form.get('Version') !== API_VERSION) {
      return errorAnswer(400, 'InvalidParameterValue', `Version must be ${API_VERSION}`, requestId);
    }
    if (action !== 'DescribeStacks') {
      return errorAnswer(
        400,
        'InvalidAction',
        `The action ${action ?? '(none)'} is not valid for this endpoint.`,
        requestId,
      );
    }
    const name = form.get('StackName');
    const found =
      name === null
        ? [...this.stacks.values()]
        : [...this.stacks.values()].filter((stack) => stack.stackName === name || stack.stackId === name);
    if (name !== null && found.length === 0) {
      // CloudFormation's answer for a stack it does not know: ValidationError, HTTP 400.
      return errorAnswer(400, 'ValidationError', `Stack with id ${name} does not exist`, requestId);
    }
    const members = found
      .map((stack) => {
        const outputs = stack.outputs
          .map(
            (output) =>
              `<member><OutputKey>${xml(output.key)}</OutputKey><OutputValue>${xml(output.value)}</OutputValue>${
                output.description === undefined ? '' : `<Description>${xml(output.description)}</Description>`
              }</member>`,
          )
          .join('');
        return `<member><StackName>${xml(stack.stackName)}</StackName><StackId>${xml(stack.stackId)}</StackId><CreationTime>${this.createdAt.toISOString()}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><DisableRollback>false</DisableRollback><Outputs>${outputs}</Outputs></member>`;
      })
      .join('');
    return {
      statusCode: 200,
      body: `<DescribeStacksResponse xmlns="${CLOUDFORMATION_XML_NAMESPACE}"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    };
  }
}
