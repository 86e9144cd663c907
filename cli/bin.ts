#!/usr/bin/env node
/**
 * The executable (package.json `bin`, `npm run cli`): runs the command line. Apart from cli/main.ts
 * so that importing the program never runs it, and so that the bundle has one entry that runs.
 */
import { main } from './main';

void main();
