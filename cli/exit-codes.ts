/**
 * What the command line's exit status means, the same for every command, so that a pipeline can
 * tell "not done in time" from "cannot be followed at all" (documented in the README and `--help`).
 */
export const EXIT = {
  /** The invalidation completed, the deployment is deployed, the smoke test delivered everywhere. */
  completed: 0,
  /** It could not be followed (not found, access denied) or, for `smoke`, something was not delivered. */
  couldNotTrack: 1,
  /** `--timeout` passed first. The work goes on in CloudFront. */
  timedOut: 2,
  /** The command line itself is wrong (an unknown option, a missing or malformed value): nothing was asked of AWS. */
  usage: 64,
  /** Ctrl-C (SIGINT) or SIGTERM: stopped following. The work goes on in CloudFront. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The lines `--help` ends with. */
export const EXIT_CODES_HELP = `
Exit status:
  ${EXIT.completed}    completed (invalidation Completed, deployment Deployed)
  ${EXIT.couldNotTrack}    could not be followed (not found, access denied: the message says which and what to do)
  ${EXIT.timedOut}    --timeout passed first (the work goes on in CloudFront)
  ${EXIT.usage}   usage error (the message names the argument)
  ${EXIT.interrupted}  interrupted (Ctrl-C)`;
