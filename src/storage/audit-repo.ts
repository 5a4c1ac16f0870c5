import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from './connect.js';
import { auditLog } from './schema.js';

export type AuditAction =
  | 'take'
  | 'undo_take'
  | 'move'
  | 'remove'
  | 'withdraw'
  | 'restore'
  | 'confirm_skip'
  | 'reject_skip'
  | 'gift_skip'
  | 'buy_skip'
  | 'force_link'
  | 'link'
  | 'unlink'
  | 'coins_give'
  | 'coins_take'
  | 'points_give'
  | 'points_take'
  | 'config_set'
  | 'backup_restore'
  | 'rate'
  | 'correct_rating';

export interface AuditEntry {
  guildId: string;
  actorId: string;
  action: AuditAction;
  targetUserId?: string | null;
  submissionId?: number | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    guildId: entry.guildId,
    actorId: entry.actorId,
    action: entry.action,
    targetUserId: entry.targetUserId ?? null,
    submissionId: entry.submissionId ?? null,
    reason: entry.reason ?? null,
    details: entry.details ?? {},
  });
}

export async function listAudit(
  db: Queryable,
  guildId: string,
  options: { targetUserId?: string; limit?: number } = {},
) {
  const where = options.targetUserId
    ? and(eq(auditLog.guildId, guildId), eq(auditLog.targetUserId, options.targetUserId))
    : eq(auditLog.guildId, guildId);
  return db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(Math.min(options.limit ?? 20, 100));
}
