// What a caller may do: three roles, each allowing everything the one before it does. The check
// sits where each RPC or action is dispatched (do-put.ts, actions.ts, Flight SQL's write hook),
// so a handler added later states its role in the same place it is routed.
import { QuiverError } from '../errors.ts';

export type Role = 'read' | 'write' | 'admin';

export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

export function parseRole(raw: string): Role {
  if ((ROLES as readonly string[]).includes(raw)) return raw as Role;
  throw new Error(`role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(raw)}`);
}

export const allows = (held: Role, needed: Role) => ROLES.indexOf(held) >= ROLES.indexOf(needed);

/** requireRole for a user known by name only (Flight SQL's statements carry the caller's name). */
export function requireRoleOf(auth: { roleOf(user: string): Role | null }, user: string, needed: Role, what: string): void {
  requireRole({ user, role: auth.roleOf(user) ?? 'read' }, needed, what);
}

/** PERMISSION_DENIED, naming the role `what` needs and the one the caller has. */
export function requireRole(caller: { user: string; role: Role }, needed: Role, what: string): void {
  if (allows(caller.role, needed)) return;
  throw new QuiverError('PERMISSION_DENIED', `${what} needs the ${needed} role; user ${JSON.stringify(caller.user)} has the ${caller.role} role`, { retriable: false });
}
