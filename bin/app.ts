#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS, ConfigError, loadConfig } from '../lib/config';
import { addNotifierStacks } from '../lib/notifier-app';

const app = new App();
try {
  // The whole context, so that a misspelled key is refused instead of silently ignored.
  addNotifierStacks(app, loadConfig(app.node.getAllContext()), process.env.CDK_DEFAULT_ACCOUNT);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\n\nContext keys: ${CONTEXT_KEYS.join(', ')}. See README.md, "Configure".`);
    process.exit(1);
  }
  throw error;
}
