import type { RestResponse } from './rest-routes.js';

export function apiError(status: number, code: number, message: string): RestResponse {
  return { status, body: { message, code } };
}

/** Discord's answers for the failures a bot must handle; pass them to `failNext`. */
export const discordErrors = {
  unknownChannel: apiError(404, 10003, 'Unknown Channel'),
  unknownGuild: apiError(404, 10004, 'Unknown Guild'),
  unknownMember: apiError(404, 10007, 'Unknown Member'),
  unknownMessage: apiError(404, 10008, 'Unknown Message'),
  unknownUser: apiError(404, 10013, 'Unknown User'),
  unknownWebhook: apiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: apiError(404, 10062, 'Unknown interaction'),
  missingAccess: apiError(403, 50001, 'Missing Access'),
  cannotEditOthersMessage: apiError(403, 50005, 'Cannot edit a message authored by another user'),
  cannotSendToUser: apiError(403, 50007, 'Cannot send messages to this user'),
  missingPermissions: apiError(403, 50013, 'Missing Permissions'),
  invalidFormBody: apiError(400, 50035, 'Invalid Form Body'),
  alreadyAcknowledged: apiError(400, 40060, 'Interaction has already been acknowledged.'),
} satisfies Record<string, RestResponse>;

/** A 429 as Discord sends it: `Retry-After` plus the bucket headers that make the client wait. */
export function rateLimited(retryAfterSeconds: number, { global = false } = {}): RestResponse {
  const seconds = String(retryAfterSeconds);
  return {
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global },
    headers: {
      'Retry-After': seconds,
      'X-RateLimit-Limit': '5',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset-After': seconds,
      'X-RateLimit-Bucket': 'local-discord-bucket',
      'X-RateLimit-Scope': global ? 'global' : 'user',
      ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
    },
  };
}
