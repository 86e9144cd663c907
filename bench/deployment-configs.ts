/**
 * The deployments part of `npm run bench`: the designs it compares, the seeded population of
 * deployments and the shape of what each worker reports. Shared by the parent
 * (bench/deployment-bench.ts) and the worker (bench/schedule-worker.ts `--work deployment`).
 */
import type { DesignName } from './comparison-designs';
import type { Usage } from './costs';
import { seededRandom } from './support';

export interface DeploymentConfig {
  readonly label: string;
  readonly description: string;
  readonly design: DesignName;
}

export const DEPLOYMENT_CONFIGS = {
  checker: {
    label: 'a. Checker (the product)',
    description:
      "the account's checker, as for invalidations: GetDistribution / GetDistributionTenant on the product's schedule " +
      '(DEFAULT_POLL_SCHEDULE: every 4 s, up to 60 min), the watcher waiting on a task token',
    design: 'product',
  },
  'deployment-waiter': {
    label: 'd. distribution-deployed waiter',
    description:
      '`aws cloudfront wait distribution-deployed` as the cheapest Standard job poller: Task -> Choice -> Wait calling ' +
      'GetDistribution (GetDistributionTenant for a tenant) through the SDK integration (no Lambda), every 60 s, 35 checks: ' +
      'gives up at 34 min',
    design: 'deployment-waiter',
  },
} satisfies Record<string, DeploymentConfig>;

export type DeploymentConfigName = keyof typeof DEPLOYMENT_CONFIGS;

export const isDeploymentConfigName = (name: string | undefined): name is DeploymentConfigName =>
  name !== undefined && name in DEPLOYMENT_CONFIGS;

/**
 * The population: {@link DEPLOYMENT_POPULATION.count} deployments, drawn with seededRandom(seed).
 * A deployment is short with probability `shortShare`, its duration log-uniform between
 * `short` seconds (2 to 15 min, where most distribution deployments fall), otherwise uniform
 * between `long` seconds (20 to 40 min: the slow ones, some past the waiter's 34 min). Every
 * `tenantEvery`-th is a distribution tenant's (UpdateDistributionTenant), the others a
 * distribution's (UpdateDistribution), with the same durations: CloudFront publishes no figures
 * per kind.
 */
export const DEPLOYMENT_POPULATION = {
  count: 48,
  seed: 15,
  shortShare: 0.8,
  short: [120, 900],
  long: [1200, 2400],
  tenantEvery: 4,
} as const;

export interface SampledDeployment {
  readonly index: number;
  readonly kind: 'distribution' | 'tenant';
  /** Seconds after the watch starts at which the target reads Deployed (virtual time of its watch). */
  readonly deploysAtSecond: number;
}

/** The population, the same in every run and every worker. */
export function deploymentPopulation(population = DEPLOYMENT_POPULATION): SampledDeployment[] {
  const random = seededRandom(population.seed);
  return Array.from({ length: population.count }, (_, index) => {
    const short = random() < population.shortShare;
    const [low, high] = short ? population.short : population.long;
    const draw = random();
    const seconds = short ? low * (high / low) ** draw : low + (high - low) * draw;
    return {
      index,
      kind: index % population.tenantEvery === population.tenantEvery - 1 ? 'tenant' : 'distribution',
      // Whole tenths of a second: repeatable in JSON, never on a check's whole second.
      deploysAtSecond: (Math.round(seconds * 10) + 0.5) / 10,
    };
  });
}

/** One deployment, watched alone. */
export interface DeploymentMeasure extends SampledDeployment {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'RUNNING';
  readonly errorName?: string;
  /** Ended with the target read Deployed. */
  readonly detected: boolean;
  /** Ended still in progress (the waiter's 35 checks, or the product's maximum wait). */
  readonly gaveUp: boolean;
  readonly couldNotTrack: boolean;
  /** Virtual seconds from Deployed to the check that saw it (detected only). */
  readonly detectionDelaySeconds?: number;
  readonly watchSeconds: number;
  /** GetDistribution / GetDistributionTenant checks of the target while watched. */
  readonly getDistributionCalls: number;
  readonly usage: Usage;
}

export interface DeploymentWorkerResult {
  readonly config: DeploymentConfigName;
  readonly functionMemoryMb: Readonly<Record<string, number>>;
  readonly executions: readonly DeploymentMeasure[];
  /** Largest gap between the detection time read from the execution's clock and the one the check reported. */
  readonly clockCheckMaxGapSeconds: number;
  readonly realSeconds: number;
}
