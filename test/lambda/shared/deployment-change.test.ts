/**
 * describeChange: what a deployment call's CloudTrail request tells of its change, in lines
 * people read, and never a throw or an unbounded answer, whatever the request holds.
 */
import * as fc from 'fast-check';
import { DEPLOYMENT_CALL_NAMES, type DeploymentCallName } from '../../../lambda/shared/cloudtrail-calls';
import { describeChange } from '../../../lambda/shared/deployment-change';
import { MAX_CHANGE_LINES } from '../../../lambda/shared/watch-request';
import { anyJson, awkwardString } from '../start-watch/arbitraries';

describe('describeChange', () => {
  it.each<[DeploymentCallName, unknown, string[]]>([
    ['CreateDistribution', {}, ['distribution created']],
    [
      'CreateDistributionWithTags',
      { distributionConfigWithTags: { distributionConfig: { enabled: true } } },
      ['distribution created', 'enabled'],
    ],
    ['CopyDistribution', { primaryDistributionId: 'E1PRIMARY', staging: true }, ['staging copy created of E1PRIMARY']],
    ['CopyDistribution', { staging: 'false' }, ['copy created']],
    ['UpdateDistribution', {}, ['configuration updated']],
    [
      'UpdateDistributionWithStagingConfig',
      { id: 'E1', stagingDistributionId: 'E2STAGING' },
      ['staging configuration promoted from E2STAGING'],
    ],
    [
      'AssociateDistributionWebACL',
      { id: 'E1', webACLArn: 'arn:aws:wafv2::1:global/webacl/a/1' },
      ['web ACL associated: arn:aws:wafv2::1:global/webacl/a/1'],
    ],
    ['AssociateDistributionTenantWebACL', { id: 'dt_1' }, ['web ACL associated']],
    ['DisassociateDistributionWebACL', { id: 'E1', ifMatch: 'E2' }, ['web ACL removed']],
    ['DisassociateDistributionTenantWebACL', { id: 'dt_1' }, ['web ACL removed']],
    ['CreateDistributionTenant', { name: ' acme ' }, ['tenant created: acme']],
    ['UpdateDistributionTenant', { id: 'dt_1', ifMatch: 'E1' }, ['tenant updated']],
  ])('describes %s from %j', (call, request, lines) => {
    expect(describeChange(call, request)).toEqual(lines);
  });

  it("says what an update's configuration is now: enabled, aliases, origins, behaviours, web ACL", () => {
    // Act
    const lines = describeChange('UpdateDistribution', {
      id: 'E1',
      distributionConfig: {
        enabled: false,
        aliases: { quantity: 2, items: ['a.example.com', 'b.example.com'] },
        origins: { quantity: 1, items: [{ id: 'o' }] },
        cacheBehaviors: { quantity: 0 },
        webACLId: 'arn:waf',
      },
    });

    // Assert
    expect(lines).toEqual([
      'configuration updated; now:',
      'disabled',
      'aliases: a.example.com, b.example.com',
      '1 origin',
      '1 cache behavior (the default included)',
      'web ACL: arn:waf',
    ]);
  });

  it('names five aliases or domains, then counts the rest', () => {
    // Prepare
    const names = Array.from({ length: 7 }, (_, i) => `n${i}.example.com`);

    // Act
    const distribution = describeChange('CreateDistribution', { distributionConfig: { aliases: { quantity: 7, items: names } } });
    const tenant = describeChange('UpdateDistributionTenant', { domains: names.map((domain) => ({ domain })) });

    // Assert
    expect(distribution[1]).toBe('aliases: n0.example.com, n1.example.com, n2.example.com, n3.example.com, n4.example.com and 2 more');
    expect(tenant[1]).toBe('domains: n0.example.com, n1.example.com, n2.example.com, n3.example.com, n4.example.com and 2 more');
  });

  it('says "no aliases" only when the request says there are none', () => {
    expect(describeChange('UpdateDistribution', { distributionConfig: { aliases: { quantity: 0 } } })).toEqual([
      'configuration updated; now:',
      'no aliases',
    ]);
    expect(describeChange('UpdateDistribution', { distributionConfig: { aliases: {} } })).toEqual(['configuration updated']);
  });

  it('reads what CloudTrail writes loosely: a one-element list as the element, numbers and flags as text', () => {
    // Act
    const lines = describeChange('UpdateDistribution', {
      distributionConfig: { enabled: 'true', aliases: { quantity: '1', items: 'only.example.com' }, origins: { quantity: '3' } },
    });
    const tenant = describeChange('UpdateDistributionTenant', {
      domains: { domain: 'one.example.com' },
      customizations: { webAcl: 'arn:waf-as-text' },
    });

    // Assert
    expect(lines).toEqual(['configuration updated; now:', 'enabled', 'aliases: only.example.com', '3 origins']);
    expect(tenant).toEqual(['tenant updated; now:', 'domains: one.example.com', 'web ACL: arn:waf-as-text']);
  });

  it('leaves out what it cannot read rather than guess: wrong types, bad counts, empty text', () => {
    // Act
    const lines = describeChange('UpdateDistribution', {
      distributionConfig: {
        enabled: 'yes',
        aliases: { quantity: -1, items: [1, null, {}, ['x'], true] },
        origins: { quantity: 1.5 },
        cacheBehaviors: { quantity: 'many' },
        webACLId: '   ',
      },
    });
    const tenant = describeChange('CreateDistributionTenant', {
      name: 42,
      domains: [{ domain: 5 }, null, 'plain.example.com', { domain: '' }],
      distributionId: ['E1'],
      customizations: { webAcl: { arn: {} } },
    });

    // Assert
    expect(lines).toEqual(['configuration updated']);
    expect(tenant).toEqual(['tenant created', 'domains: plain.example.com']);
  });

  it.each([null, undefined, 42, 'distributionConfig', true, [], [{ distributionConfig: { enabled: true } }]])(
    'gives the headline alone for a request that is not an object: %j',
    (request) => {
      expect(describeChange('UpdateDistribution', request)).toEqual(['configuration updated']);
      expect(describeChange('CreateDistributionTenant', request)).toEqual(['tenant created']);
    },
  );

  it('reads a request whose members are named like Object.prototype members as plain data', () => {
    // Prepare: JSON.parse makes `__proto__` an own member, as Lambda hands the event over.
    const request = JSON.parse('{"__proto__": {"enabled": true}, "distributionConfig": {"constructor": 1, "toString": "x"}}') as unknown;

    // Act
    const lines = describeChange('UpdateDistribution', request);

    // Assert
    expect(lines).toEqual(['configuration updated']);
  });

  it('keeps a huge list to one line, quickly', () => {
    // Prepare
    const items = Array.from({ length: 200_000 }, (_, i) => `a${i}.example.com`);

    // Act
    const started = performance.now();
    const lines = describeChange('CreateDistribution', { distributionConfig: { aliases: { quantity: items.length, items } } });
    const ms = performance.now() - started;

    // Assert
    expect(lines).toEqual(['distribution created', expect.stringMatching(/ and 199995 more$/)]);
    expect(ms).toBeLessThan(1_000);
  });

  it('never throws, and answers at most MAX_CHANGE_LINES strings, whatever the request holds', () => {
    // A request shaped like the real ones, its members replaced by any JSON.
    const member = fc.oneof(anyJson, awkwardString(), fc.array(fc.oneof(anyJson, awkwardString()), { maxLength: 8 }));
    const shaped = fc.record(
      {
        distributionConfig: fc.record(
          {
            enabled: member,
            aliases: fc.record({ quantity: member, items: member }),
            origins: member,
            cacheBehaviors: member,
            webACLId: member,
          },
          { requiredKeys: [] },
        ),
        distributionConfigWithTags: member,
        name: member,
        domains: member,
        distributionId: member,
        customizations: fc.oneof(member, fc.record({ webAcl: fc.oneof(member, fc.record({ arn: member })) })),
        webACLArn: member,
        primaryDistributionId: member,
        staging: member,
        stagingDistributionId: member,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.constantFrom(...DEPLOYMENT_CALL_NAMES), fc.oneof(anyJson, shaped), (call, request) => {
        const lines = describeChange(call, request);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.length).toBeLessThanOrEqual(MAX_CHANGE_LINES);
        for (const line of lines) expect(typeof line).toBe('string');
      }),
      { numRuns: 1_000 },
    );
  });
});
