#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS, ConfigError, loadConfig } from '../lib/config';
import { NotifierStack } from '../lib/notifier-stack';

const app = new App();
try {
  // The whole context, so that a misspelled key is refused instead of silently ignored.
  const config = loadConfig(app.node.getAllContext());
  new NotifierStack(app, 'CloudFrontInvalidationNotifier', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
    description: 'Notifies teams when CloudFront invalidations complete (cloudfront-invalidation-notifier)',
    config,
  });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\n\nContext keys: ${CONTEXT_KEYS.join(', ')}. See README.md, "Configure".`);
    process.exit(1);
  }
  throw error;
}
