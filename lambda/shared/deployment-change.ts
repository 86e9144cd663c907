/**
 * What a deployment's call changed, as far as its CloudTrail request tells, in a few lines
 * people read. CloudTrail records the request with members lowercased (`distributionConfig`,
 * `aliases.items`, `webACLArn`). `UpdateDistribution` sends the whole new configuration, not a
 * difference: its lines say what the configuration is now ("now enabled", "aliases: ..."), never
 * what it was before, which the request does not tell. Anything unreadable (a request CloudTrail
 * cut, a member of an unexpected type) is left out: no line is better than a wrong one.
 */
import type { DeploymentCallName } from './cloudtrail-calls';

/** The most aliases or domains named before "and N more". */
const MAX_NAMED = 5;

type Json = Readonly<Record<string, unknown>>;

const objectAt = (value: unknown, key: string): Json | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const member = (value as Json)[key];
  return typeof member === 'object' && member !== null && !Array.isArray(member) ? (member as Json) : undefined;
};
const textAt = (value: Json | undefined, key: string): string | undefined => {
  const member = value?.[key];
  return typeof member === 'string' && member.trim() !== '' ? member.trim() : undefined;
};
const flagAt = (value: Json | undefined, key: string): boolean | undefined => {
  const member = value?.[key];
  return typeof member === 'boolean' ? member : member === 'true' ? true : member === 'false' ? false : undefined;
};
const countAt = (value: Json | undefined, key: string): number | undefined => {
  const member = objectAt(value, key)?.quantity;
  const count = typeof member === 'number' ? member : typeof member === 'string' ? Number(member) : NaN;
  return Number.isInteger(count) && count >= 0 ? count : undefined;
};
/** CloudTrail writes a one-element list as the element itself at times: both read as a list. */
const listAt = (value: Json | undefined, key: string): unknown[] => {
  const member = value?.[key];
  return Array.isArray(member) ? member : member === undefined || member === null ? [] : [member];
};

const named = (names: readonly string[]): string =>
  names.length <= MAX_NAMED ? names.join(', ') : `${names.slice(0, MAX_NAMED).join(', ')} and ${names.length - MAX_NAMED} more`;
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The lines of a distribution's configuration (create or update) that people care about. */
function distributionConfigLines(config: Json | undefined): string[] {
  if (!config) return [];
  const lines: string[] = [];
  const enabled = flagAt(config, 'enabled');
  if (enabled !== undefined) lines.push(enabled ? 'enabled' : 'disabled');
  const aliases = listAt(objectAt(config, 'aliases'), 'items').filter((item): item is string => typeof item === 'string');
  const aliasCount = countAt(config, 'aliases');
  if (aliases.length > 0) lines.push(`aliases: ${named(aliases)}`);
  else if (aliasCount === 0) lines.push('no aliases');
  const origins = countAt(config, 'origins');
  if (origins !== undefined) lines.push(plural(origins, 'origin', 'origins'));
  const behaviors = countAt(config, 'cacheBehaviors');
  if (behaviors !== undefined) lines.push(`${plural(behaviors + 1, 'cache behavior', 'cache behaviors')} (the default included)`);
  const webAcl = textAt(config, 'webACLId');
  if (webAcl) lines.push(`web ACL: ${webAcl}`);
  return lines;
}

/** The lines of a tenant's request (create or update). */
function tenantLines(request: Json | undefined): string[] {
  if (!request) return [];
  const lines: string[] = [];
  const enabled = flagAt(request, 'enabled');
  if (enabled !== undefined) lines.push(enabled ? 'enabled' : 'disabled');
  const domains = listAt(request, 'domains')
    .map((item) => (typeof item === 'string' ? item : textAt(item as Json, 'domain')))
    .filter((domain): domain is string => domain !== undefined);
  if (domains.length > 0) lines.push(`domains: ${named(domains)}`);
  const distribution = textAt(request, 'distributionId');
  if (distribution) lines.push(`on distribution ${distribution}`);
  const webAcl =
    textAt(objectAt(request, 'customizations'), 'webAcl') ?? textAt(objectAt(objectAt(request, 'customizations'), 'webAcl'), 'arn');
  if (webAcl) lines.push(`web ACL: ${webAcl}`);
  return lines;
}

/**
 * The lines describing a deployment call's change, first the headline ("distribution created",
 * "configuration updated; now:"), then what the request tells. Never throws, whatever `request` holds.
 */
export function describeChange(call: DeploymentCallName, request: unknown): string[] {
  const body = typeof request === 'object' && request !== null && !Array.isArray(request) ? (request as Json) : undefined;
  const config = objectAt(body, 'distributionConfig') ?? objectAt(objectAt(body, 'distributionConfigWithTags'), 'distributionConfig');
  switch (call) {
    case 'CreateDistribution':
    case 'CreateDistributionWithTags':
      return ['distribution created', ...distributionConfigLines(config)];
    case 'CopyDistribution': {
      const primary = textAt(body, 'primaryDistributionId');
      const staging = flagAt(body, 'staging');
      return [`${staging ? 'staging ' : ''}copy created${primary ? ` of ${primary}` : ''}`];
    }
    case 'UpdateDistribution': {
      const lines = distributionConfigLines(config);
      return lines.length > 0 ? ['configuration updated; now:', ...lines] : ['configuration updated'];
    }
    case 'UpdateDistributionWithStagingConfig': {
      const staging = textAt(body, 'stagingDistributionId');
      return [`staging configuration promoted${staging ? ` from ${staging}` : ''}`];
    }
    case 'AssociateDistributionWebACL':
    case 'AssociateDistributionTenantWebACL': {
      const arn = textAt(body, 'webACLArn');
      return [`web ACL associated${arn ? `: ${arn}` : ''}`];
    }
    case 'DisassociateDistributionWebACL':
    case 'DisassociateDistributionTenantWebACL':
      return ['web ACL removed'];
    case 'CreateDistributionTenant': {
      const name = textAt(body, 'name');
      return [`tenant created${name ? `: ${name}` : ''}`, ...tenantLines(body)];
    }
    case 'UpdateDistributionTenant': {
      const lines = tenantLines(body);
      return lines.length > 0 ? ['tenant updated; now:', ...lines] : ['tenant updated'];
    }
  }
}
