/**
 * Names of the table of watches that the construct (lib/checker.ts) and the functions share.
 * Apart from lambda/shared/watch-store.ts so that the construct reads them without loading the
 * AWS SDK at synth.
 */

/**
 * The index of watches by registration time: every watch item carries `byRegistration = "watch"`
 * beside its `registeredAtMs`, so a tick can read the watches registered since the last one it
 * saw instead of all of them.
 */
export const WATCHES_BY_REGISTRATION = { indexName: 'byRegistration', partitionKey: 'byRegistration', sortKey: 'registeredAtMs' } as const;

/**
 * The partition keys telling writes (lambda/shared/tell-store.ts): a burst's items, the open
 * burst of a destination and key, where a watch's membership is, a channel's pace. Notify may
 * touch only these (its IAM policy's `dynamodb:LeadingKeys`), never a watch, a token or the
 * checker's clock.
 */
export const TELL_PARTITIONS = { open: 'burst-open', tell: 'tell', pace: 'pace', burstPrefix: 'burst#' } as const;
