import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per function. Handlers append the invalidation ID to every line;
 * nothing secret (webhook URLs, secret values) and never the whole event is logged.
 */
export const logger = new Logger({ serviceName: 'cloudfront-invalidation-notifier' });
