/**
 * `npm run demo` (without bundling, which only makes the synth slower): the deployments it shows
 * next to the invalidations, as it prints them.
 */
import { runDemo } from '../../local/demo';
import { SAMPLE_DISTRIBUTION_UPDATE, SAMPLE_TENANT_CREATION } from '../../local/events';

let output: string;
beforeAll(async () => {
  const printed: string[] = [];
  await runDemo({ bundle: false, log: (text) => printed.push(text) });
  output = printed.join('\n');
});

/** The printed blocks ("=== <destination> ... ===" and what follows) whose heading contains `heading`. */
const blocksOf = (heading: string) =>
  output
    .split('\n=== ')
    .slice(1)
    .map((block) => block.trimEnd())
    .filter((block) => block.split('\n', 1)[0]!.includes(heading));

it('runs every watch, invalidations and deployments, to its end', () => {
  // Assert
  const executions = [...output.matchAll(/^Execution (\S+): (\w+),/gm)].map(([, name, status]) => [name, status]);
  expect(executions).toEqual([
    ['E2QWRUHAPOMQZL-I2J0I21PCUYOIK', 'SUCCEEDED'],
    ['dt_2wjDZi3hD1ivOXf6rpZJO1AB-I3TENANTX8K2QZ', 'SUCCEEDED'],
    [`${SAMPLE_DISTRIBUTION_UPDATE.targetId}-deployed-${SAMPLE_DISTRIBUTION_UPDATE.eTag}`, 'SUCCEEDED'],
    [`${SAMPLE_TENANT_CREATION.targetId}-deployed-${SAMPLE_TENANT_CREATION.eTag}`, 'SUCCEEDED'],
    ['E3CATALOG7WXYZ-deployed-E1CATALOGV2ABC', 'SUCCEEDED'],
    ['E3CATALOG7WXYZ-deployed-E1CATALOGV3DEF', 'SUCCEEDED'],
  ]);
});

it("shows the update in the Slack app's live message: posted deploying, edited to deployed", () => {
  // Assert
  const subject = `UpdateDistribution of CloudFront distribution www.example.com (${SAMPLE_DISTRIBUTION_UPDATE.targetId})`;
  const [post, ...others] = blocksOf('deploys (Slack app').filter((block) => block.includes(subject));
  expect(others).toEqual([]);
  expect(post?.split('\n').slice(1)).toEqual([
    `${subject} is deploying.`,
    expect.stringMatching(new RegExp(`^  then edited \\(chat\\.update\\) to: ${escape(subject)} deployed in about \\d+ s\\.$`)),
  ]);
});

it("tells the website's Teams channel of the update, and the payments Slack of the tenant created", () => {
  // Assert
  expect(blocksOf('web-teams received').filter((block) => block.includes('✅ CloudFront distribution deployed'))).toHaveLength(1);
  expect(
    blocksOf('payments-slack received').filter((block) =>
      /CreateDistributionTenant of CloudFront distribution tenant globex \(globex\.example\.com\) \(dt_\w+\) deployed in about \d+ s\./.test(
        block,
      ),
    ),
  ).toHaveLength(1);
});

it('tells two updates in a row honestly: the first deployed together with the later change, the second on its own', () => {
  // Assert
  const emails = blocksOf('email (SNS) received');
  const first = emails.filter((block) => block.includes('Version: E1CATALOGV2ABC'));
  const second = emails.filter((block) => block.includes('Version: E1CATALOGV3DEF'));
  expect(first).toHaveLength(1);
  expect(first[0]).toMatch(/\(E3CATALOG7WXYZ\) deployed in about \d+ s, together with 1 later change\.\n/);
  expect(first[0]).toContain('Deployed: together with 1 later change');
  expect(second).toHaveLength(1);
  expect(second[0]).toMatch(/\(E3CATALOG7WXYZ\) deployed in about \d+ s\.\n/);
  expect(second[0]).not.toContain('together with');
  const chats = blocksOf('ops-chat received');
  expect(chats.filter((block) => block.includes('together with 1 later change'))).toHaveLength(1);
});

it('prints the deployment events like the invalidation events', () => {
  // Assert
  const [distribution] = blocksOf('received "CloudFront Distribution Deployed"').map((block) =>
    JSON.parse(block.slice(block.indexOf('{'))),
  );
  expect(distribution).toMatchObject({
    source: 'cloudfront-invalidation-notifier',
    detail: {
      outcome: 'completed',
      work: 'deployment',
      targetId: SAMPLE_DISTRIBUTION_UPDATE.targetId,
      change: { call: 'UpdateDistribution', eTag: SAMPLE_DISTRIBUTION_UPDATE.eTag },
      status: 'Deployed',
      routes: ['website'],
    },
  });
  expect(distribution.detail.durationSeconds).toBeGreaterThan(0);
  expect(blocksOf('received "CloudFront Distribution Tenant Deployed"')).toHaveLength(1);
  expect(blocksOf('received "CloudFront Invalidation Completed"')).toHaveLength(2);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
