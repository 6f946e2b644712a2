import { AwsServiceError } from './protocol.js';

/**
 * The two EC2 calls the orchestrator makes (DescribeSubnets, DescribeVpcs), in EC2's own query protocol: a
 * form-encoded POST (`Action=DescribeVpcs&Version=2016-11-15&VpcId.1=...`), an XML answer in the EC2 namespace, and
 * errors as `<Response><Errors><Error><Code>` with EC2's codes (InvalidSubnetID.NotFound, InvalidVpcID.NotFound, ...).
 */

export const EC2_API_VERSION = '2016-11-15';
const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;

export interface LocalSubnetSpec {
  readonly subnetId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
}

export interface LocalVpcSpec {
  readonly vpcId: string;
  /** The VPC's primary IPv4 CIDR block (`CidrBlock`). */
  readonly primaryCidr: string;
  /** Further IPv4 blocks, associated after the primary. */
  readonly secondaryCidrs: readonly string[];
  readonly ipv6Cidrs: readonly string[];
  readonly subnets: readonly LocalSubnetSpec[];
}

/** An EC2 query-protocol answer: the status and the XML body. */
export interface Ec2Answer {
  readonly statusCode: number;
  readonly body: string;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const element = (name: string, content: string): string => `<${name}>${content}</${name}>`;
const text = (name: string, value: string | number | boolean): string => element(name, escapeXml(String(value)));
const itemSet = (name: string, items: readonly string[]): string =>
  items.length === 0 ? `<${name}/>` : element(name, items.map((item) => element('item', item)).join(''));

/** `Name.1`, `Name.2`, ... as EC2's query protocol flattens a list. */
function listParameter(form: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let index = 1; form.has(`${name}.${index}`); index += 1) values.push(form.get(`${name}.${index}`) ?? '');
  return values;
}

interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

function filters(form: URLSearchParams): Filter[] {
  const result: Filter[] = [];
  for (let index = 1; form.has(`Filter.${index}.Name`); index += 1) {
    result.push({ name: form.get(`Filter.${index}.Name`) ?? '', values: listParameter(form, `Filter.${index}.Value`) });
  }
  return result;
}

type FilterValues<T> = Readonly<Record<string, (item: T) => readonly string[]>>;

/** Keeps the items every filter matches (any of its values); an unknown filter name is EC2's InvalidParameterValue. */
function applyFilters<T>(items: readonly T[], given: readonly Filter[], known: FilterValues<T>): T[] {
  for (const filter of given) {
    if (known[filter.name] === undefined) {
      throw new AwsServiceError('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
    }
  }
  return items.filter((item) =>
    given.every((filter) => {
      const values = (known[filter.name] as (item: T) => readonly string[])(item);
      return filter.values.some((wanted) => values.includes(wanted));
    }),
  );
}

const SUBNET_ID = /^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const VPC_ID = /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/** EC2 names every unknown ID of the request in one error, quoted and comma-separated. */
function notFound(code: string, what: string, missing: readonly string[]): AwsServiceError {
  const quoted = missing.map((id) => `'${id}'`).join(', ');
  return new AwsServiceError(
    code,
    missing.length === 1 ? `The ${what} ID ${quoted} does not exist` : `The ${what} IDs ${quoted} do not exist`,
  );
}

export class LocalEc2 {
  private readonly subnets: readonly (LocalSubnetSpec & { readonly vpcId: string })[];

  constructor(
    private readonly vpcs: readonly LocalVpcSpec[],
    private readonly region: string,
    private readonly accountId: string,
  ) {
    this.subnets = vpcs.flatMap((vpc) => vpc.subnets.map((subnet) => ({ ...subnet, vpcId: vpc.vpcId })));
  }

  /** Answers one form-encoded request; unknown actions and bad input answer as EC2 does. */
  handle(form: URLSearchParams, requestId: string): Ec2Answer {
    const action = form.get('Action') ?? '';
    try {
      const version = form.get('Version');
      if (version !== EC2_API_VERSION) {
        throw new AwsServiceError(
          'NoSuchVersion',
          `The requested version (${version ?? 'none'}) of service AmazonEC2 does not exist`,
        );
      }
      if (form.get('DryRun') === 'true') {
        throw new AwsServiceError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', {
          statusCode: 412,
        });
      }
      const content =
        action === 'DescribeSubnets'
          ? this.describeSubnets(form)
          : action === 'DescribeVpcs'
            ? this.describeVpcs(form)
            : undefined;
      if (content === undefined) {
        throw new AwsServiceError('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
      return {
        statusCode: 200,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${text('requestId', requestId)}${content}</${action}Response>`,
      };
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      return { statusCode: error.statusCode, body: ec2ErrorBody(error, requestId) };
    }
  }

  private describeSubnets(form: URLSearchParams): string {
    const ids = listParameter(form, 'SubnetId');
    const malformed = ids.find((id) => !SUBNET_ID.test(id));
    if (malformed !== undefined) throw new AwsServiceError('InvalidSubnetID.Malformed', `Invalid id: "${malformed}"`);
    const missing = ids.filter((id) => !this.subnets.some((subnet) => subnet.subnetId === id));
    if (missing.length > 0) throw notFound('InvalidSubnetID.NotFound', 'subnet', missing);
    const selected = ids.length === 0 ? this.subnets : this.subnets.filter((subnet) => ids.includes(subnet.subnetId));
    const matching = applyFilters(selected, filters(form), {
      'subnet-id': (subnet) => [subnet.subnetId],
      'vpc-id': (subnet) => [subnet.vpcId],
      'cidr-block': (subnet) => [subnet.cidrBlock],
      'availability-zone': (subnet) => [subnet.availabilityZone],
      state: () => ['available'],
    });
    return itemSet(
      'subnetSet',
      matching.map((subnet) =>
        [
          text('subnetId', subnet.subnetId),
          text('subnetArn', `arn:aws:ec2:${this.region}:${this.accountId}:subnet/${subnet.subnetId}`),
          text('state', 'available'),
          text('ownerId', this.accountId),
          text('vpcId', subnet.vpcId),
          text('cidrBlock', subnet.cidrBlock),
          '<ipv6CidrBlockAssociationSet/>',
          text('availableIpAddressCount', 251),
          text('availabilityZone', subnet.availabilityZone),
          text('defaultForAz', false),
          text('mapPublicIpOnLaunch', true),
          text('assignIpv6AddressOnCreation', false),
        ].join(''),
      ),
    );
  }

  private describeVpcs(form: URLSearchParams): string {
    const ids = listParameter(form, 'VpcId');
    const malformed = ids.find((id) => !VPC_ID.test(id));
    if (malformed !== undefined) throw new AwsServiceError('InvalidVpcID.Malformed', `Invalid id: "${malformed}"`);
    const missing = ids.filter((id) => !this.vpcs.some((vpc) => vpc.vpcId === id));
    if (missing.length > 0) throw notFound('InvalidVpcID.NotFound', 'vpc', missing);
    const selected = ids.length === 0 ? this.vpcs : this.vpcs.filter((vpc) => ids.includes(vpc.vpcId));
    const matching = applyFilters(selected, filters(form), {
      'vpc-id': (vpc) => [vpc.vpcId],
      cidr: (vpc) => [vpc.primaryCidr],
      'cidr-block-association.cidr-block': (vpc) => [vpc.primaryCidr, ...vpc.secondaryCidrs],
      'ipv6-cidr-block-association.ipv6-cidr-block': (vpc) => vpc.ipv6Cidrs,
      state: () => ['available'],
    });
    return itemSet(
      'vpcSet',
      matching.map((vpc) => {
        const suffix = vpc.vpcId.slice('vpc-'.length);
        const ipv4 = [vpc.primaryCidr, ...vpc.secondaryCidrs].map(
          (cidr, index) =>
            text('cidrBlock', cidr) +
            text('associationId', `vpc-cidr-assoc-${suffix}${index}`) +
            element('cidrBlockState', text('state', 'associated')),
        );
        const ipv6 = vpc.ipv6Cidrs.map(
          (cidr, index) =>
            text('ipv6CidrBlock', cidr) +
            text('associationId', `vpc-cidr-assoc-${suffix}6${index}`) +
            element('ipv6CidrBlockState', text('state', 'associated')) +
            text('networkBorderGroup', this.region) +
            text('ipv6Pool', 'Amazon'),
        );
        return [
          text('vpcId', vpc.vpcId),
          text('ownerId', this.accountId),
          text('state', 'available'),
          text('cidrBlock', vpc.primaryCidr),
          itemSet('cidrBlockAssociationSet', ipv4),
          itemSet('ipv6CidrBlockAssociationSet', ipv6),
          text('dhcpOptionsId', `dopt-${suffix}`),
          text('instanceTenancy', 'default'),
          text('isDefault', false),
        ].join('');
      }),
    );
  }
}

/** EC2's error document (not the awsQuery `ErrorResponse`): the request ID is `RequestID` here. */
export function ec2ErrorBody(error: AwsServiceError, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${text('Code', error.type)}${text('Message', error.message)}</Error></Errors>${text('RequestID', requestId)}</Response>`;
}
