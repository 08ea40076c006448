import { z } from 'zod';
import { newId } from '../auth/crypto.ts';
import type { Db } from '../db/database.ts';
import type { ChannelTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';

/** Outbound channel kinds. */
export const CHANNEL_KINDS = ['webhook', 'email', 'sms'] as const;
/** A channel kind. */
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Who a channel belongs to: a neighbourhood's urgent response team, a named route, a user, or a resident. */
export const OWNER_TYPES = ['team', 'route', 'user', 'resident'] as const;
/** A channel owner type. */
export type OwnerType = (typeof OWNER_TYPES)[number];

/** Webhook settings: the URL and the shared secret the body is signed with. */
export const WebhookConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16).max(256),
});
/** E-mail settings: the SMTP server and the addresses. */
export const EmailConfigSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  user: z.string().max(255).optional(),
  pass: z.string().max(255).optional(),
  from: z.email(),
  to: z.array(z.email()).min(1).max(20),
});
/** SMS settings: the provider's HTTP endpoint, its token, and the number. */
export const SmsConfigSchema = z.object({
  providerUrl: z.url({ protocol: /^https?$/ }),
  token: z.string().max(512).optional(),
  from: z.string().max(32).optional(),
  to: z.string().regex(/^\+?[0-9]{6,16}$/, 'a phone number in international form'),
});
/** Channel settings by kind. */
export type ChannelConfig =
  | { kind: 'webhook'; config: z.infer<typeof WebhookConfigSchema> }
  | { kind: 'email'; config: z.infer<typeof EmailConfigSchema> }
  | { kind: 'sms'; config: z.infer<typeof SmsConfigSchema> };

/** A channel as the API shows it: no secrets. */
export const ChannelViewSchema = z.object({
  id: z.string(),
  ownerType: z.enum(OWNER_TYPES),
  ownerId: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  target: z.string(),
  enabled: z.boolean(),
});
/** A channel view. */
export type ChannelView = z.infer<typeof ChannelViewSchema>;

/** Validate a channel's settings for its kind. */
export function parseChannelConfig(kind: ChannelKind, config: unknown): ChannelConfig {
  const schema = kind === 'webhook' ? WebhookConfigSchema : kind === 'email' ? EmailConfigSchema : SmsConfigSchema;
  const r = schema.safeParse(config);
  if (!r.success) {
    throw new HearthError('HEARTH_ERR_VALIDATION', `${kind} channel: ${r.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}`);
  }
  return { kind, config: r.data } as ChannelConfig;
}

/** Where a channel delivers, without secrets: a URL without query, the addresses, the number. */
export function describeTarget(c: ChannelConfig): string {
  switch (c.kind) {
    case 'webhook': {
      const u = new URL(c.config.url);
      return `${u.origin}${u.pathname}`;
    }
    case 'email':
      return c.config.to.join(', ');
    case 'sms':
      return c.config.to;
  }
}

/** The settings of a stored channel. */
export function channelConfigOf(row: ChannelTable): ChannelConfig {
  return { kind: row.kind, config: JSON.parse(row.config) } as ChannelConfig;
}

function toView(row: ChannelTable): ChannelView {
  return {
    id: row.id,
    ownerType: row.owner_type as OwnerType,
    ownerId: row.owner_id,
    kind: row.kind as ChannelKind,
    name: row.name,
    target: describeTarget(channelConfigOf(row)),
    enabled: row.enabled === 1,
  };
}

/** The outbound channels of an organisation's teams, routes, users and residents. */
export class Channels {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Add a channel; the owner must belong to the organisation. */
  async add(input: { orgId: string; ownerType: OwnerType; ownerId: string; kind: ChannelKind; name?: string; config: unknown }): Promise<ChannelView> {
    const parsed = parseChannelConfig(input.kind, input.config);
    await this.assertOwner(input.orgId, input.ownerType, input.ownerId);
    const row: ChannelTable = {
      id: newId(),
      org_id: input.orgId,
      owner_type: input.ownerType,
      owner_id: input.ownerId,
      kind: input.kind,
      name: input.name ?? `${input.kind} ${describeTarget(parsed)}`,
      config: JSON.stringify(parsed.config),
      enabled: 1,
      created_at: this.now(),
    };
    await this.db.insertInto('channels').values(row).execute();
    return toView(row);
  }

  /** Channels of an organisation, optionally of one owner. */
  async list(orgId: string, owner?: { ownerType: OwnerType; ownerId: string }): Promise<ChannelView[]> {
    let q = this.db.selectFrom('channels').selectAll().where('org_id', '=', orgId);
    if (owner) q = q.where('owner_type', '=', owner.ownerType).where('owner_id', '=', owner.ownerId);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toView);
  }

  /** Enable or disable a channel. */
  async setEnabled(orgId: string, id: string, enabled: boolean): Promise<ChannelView> {
    const r = await this.db.updateTable('channels').set({ enabled: enabled ? 1 : 0 }).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!r.numUpdatedRows) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such channel');
    return toView(await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  /** Remove a channel (its past notifications stay). */
  async remove(orgId: string, id: string): Promise<void> {
    const r = await this.db.deleteFrom('channels').where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!r.numDeletedRows) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such channel');
  }

  private async assertOwner(orgId: string, type: OwnerType, id: string): Promise<void> {
    if (type === 'route') {
      if (!/^[\w .:-]{1,100}$/.test(id)) throw new HearthError('HEARTH_ERR_VALIDATION', 'route name: 1 to 100 letters, digits, spaces, . : _ -');
      return;
    }
    const table = type === 'team' ? 'neighbourhoods' : type === 'user' ? 'users' : 'residents';
    const row = await this.db.selectFrom(table).select(['org_id']).where('id', '=', id).executeTakeFirst();
    if (!row || row.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', `no such ${type === 'team' ? 'neighbourhood' : type}`);
  }
}
