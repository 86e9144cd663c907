import { SLACK } from './deliver-slack';
import type { WebhookPlatform, WebhookRefusal } from './webhook-post';

/**
 * Microsoft Teams Workflows ("Post to a channel when a webhook request is received"): the flow
 * answers 202 when it accepts the request. Its errors come from Power Automate as JSON
 * `{"error": {"code": "...", "message": "..."}}`: a deleted or disabled flow, a wrong
 * signature in the URL, or a body the trigger's schema refuses.
 */
const TEAMS_CODES: Readonly<Record<string, WebhookRefusal>> = {
  WorkflowTriggerIsNotEnabled: 'destination',
  WorkflowNotFound: 'destination',
  DirectApiAuthorizationRequired: 'destination',
  DirectApiInvalidAuthorizationSignature: 'destination',
  AuthorizationFailed: 'destination',
  InvalidRequestContent: 'payload',
  TriggerInputSchemaMismatch: 'payload',
  InvalidTemplate: 'payload',
};

/**
 * Google Chat space webhooks answer errors as Google APIs do:
 * `{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}`.
 */
const GOOGLE_CHAT_CODES: Readonly<Record<string, WebhookRefusal>> = {
  INVALID_ARGUMENT: 'payload',
  FAILED_PRECONDITION: 'payload',
  PERMISSION_DENIED: 'destination',
  UNAUTHENTICATED: 'destination',
  NOT_FOUND: 'destination',
};

/** The `error.code` / `error.status` of a JSON error answer, if it has one. */
function jsonErrorCode(body: string, field: 'code' | 'status'): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: Record<string, unknown> }).error?.[field];
    return typeof code === 'string' && /^[A-Za-z_]{2,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export const TEAMS: WebhookPlatform = {
  label: 'Microsoft Teams',
  exampleUrl: 'https://prod-00.westus.logic.azure.com:443/workflows/.../triggers/manual/paths/invoke?...',
  secretJsonKey: 'webhookUrl',
  errorCode: (body) => jsonErrorCode(body, 'code'),
  faultOfCode: (code) => TEAMS_CODES[code],
};

export const GOOGLE_CHAT: WebhookPlatform = {
  label: 'Google Chat',
  exampleUrl: 'https://chat.googleapis.com/v1/spaces/.../messages?key=...&token=...',
  secretJsonKey: 'webhookUrl',
  errorCode: (body) => jsonErrorCode(body, 'status'),
  faultOfCode: (code) => GOOGLE_CHAT_CODES[code],
};

/** Each webhook destination type's platform. */
export const WEBHOOK_PLATFORMS = { slack: SLACK, teams: TEAMS, 'google-chat': GOOGLE_CHAT } as const;
