import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { ChannelConfig } from './channels.ts';
import { OutboundBlocked, PUBLIC_ONLY, resolveChecked, safePost, type OutboundPolicy } from './outbound.ts';

/** What a notification says, as sent to webhooks (JSON body) and rendered for e-mail and SMS. */
export interface NotificationMessage {
  /** The notification's id, also its idempotency key. */
  id: string;
  change: string;
  at: string;
  targets: string[];
  alert: {
    id: string;
    type: string;
    severity: string;
    state: string;
    residentId: string | null;
    residentName: string | null;
    hubId: string;
    neighbourhoodId: string | null;
    occurredAt: string;
    raisedAt: string;
    summary: string | null;
    repeatCount: number;
    dispatchedAt: string | null;
    onSiteAt: string | null;
  };
}

/** The outcome of one delivery attempt. */
export interface SendResult {
  ok: boolean;
  /** What the far end answered (status line, SMTP reply), without secrets. */
  response: string | null;
  error: string | null;
  /** Worth trying again (network failure, 5xx, 408, 429, SMTP 4xx). */
  retry: boolean;
}

/** Real-time limit on one attempt: a hung endpoint must not hold a delivery forever. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/** The webhook signature: hex HMAC-SHA256, keyed by the channel's secret, over `timestamp + "." + body`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** One line for SMS and e-mail subjects. */
export function headline(m: NotificationMessage): string {
  const who = m.alert.residentName ?? m.alert.hubId;
  const what = m.change === 'raised' ? '' : ` (${m.change})`;
  return `Hearth ${m.alert.severity.toUpperCase()}: ${m.alert.type} - ${who}${what}`;
}

function body(m: NotificationMessage): string {
  return [
    headline(m),
    m.alert.summary ?? '',
    `Occurred ${m.alert.occurredAt}, raised ${m.alert.raisedAt}${m.alert.repeatCount ? `, repeated ${m.alert.repeatCount} time(s)` : ''}.`,
    m.alert.dispatchedAt ? `Dispatched ${m.alert.dispatchedAt}.` : '',
    `Alert ${m.alert.id}; notification ${m.id}.`,
  ]
    .filter(Boolean)
    .join('\n');
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${ATTEMPT_TIMEOUT_MS} ms`;
  const cause = e?.cause ? `: ${e.cause.code ?? e.cause.message ?? ''}` : e?.code ? `: ${e.code}` : '';
  return `${e?.message ?? String(err)}${cause}`.slice(0, 500);
}

async function postJson(url: string, headers: Record<string, string>, payload: string, policy: OutboundPolicy): Promise<SendResult> {
  try {
    const { status } = await safePost(url, { 'content-type': 'application/json', 'user-agent': 'Hearth/0.1', ...headers }, payload, policy, ATTEMPT_TIMEOUT_MS);
    // The status code only: what the far end says in its body is never kept or shown (it could be anyone's data).
    const response = `HTTP ${status}`;
    if (status >= 200 && status < 300) return { ok: true, response, error: null, retry: false };
    if (status >= 300 && status < 400) return { ok: false, response, error: `HTTP ${status}: redirects are not followed`, retry: false };
    return { ok: false, response, error: `HTTP ${status}`, retry: status >= 500 || status === 408 || status === 429 };
  } catch (err) {
    return { ok: false, response: null, error: errorText(err), retry: !(err instanceof OutboundBlocked) };
  }
}

/** Send one notification over one channel; never throws. `now` is the injected clock's time. */
export async function send(channel: ChannelConfig, m: NotificationMessage, attempt: number, now: number, policy: OutboundPolicy = PUBLIC_ONLY): Promise<SendResult> {
  switch (channel.kind) {
    case 'webhook': {
      const payload = JSON.stringify(m);
      const timestamp = String(Math.floor(now / 1000));
      return postJson(
        channel.config.url,
        {
          'idempotency-key': m.id,
          'x-hearth-timestamp': timestamp,
          'x-hearth-signature': signWebhook(channel.config.secret, timestamp, payload),
          'x-hearth-attempt': String(attempt),
          'x-hearth-event': `alert.${m.change}`,
        },
        payload,
        policy,
      );
    }
    case 'sms': {
      const headers: Record<string, string> = { 'idempotency-key': m.id };
      if (channel.config.token) headers.authorization = `Bearer ${channel.config.token}`;
      const text = `${headline(m)}. ${m.alert.summary ?? ''}`.slice(0, 300);
      return postJson(channel.config.providerUrl, headers, JSON.stringify({ to: channel.config.to, ...(channel.config.from ? { from: channel.config.from } : {}), message: text, reference: m.id }), policy);
    }
    case 'email': {
      const c = channel.config;
      // The SMTP server's address is checked like a webhook's, and the connection pinned to it (TLS still names the host).
      let address: string;
      try {
        address = (await resolveChecked(c.host, c.port, policy))[0]!.address;
      } catch (err) {
        return { ok: false, response: null, error: errorText(err), retry: !(err instanceof OutboundBlocked) };
      }
      const transport = nodemailer.createTransport({
        host: address,
        port: c.port,
        secure: c.secure,
        tls: { servername: c.host },
        ...(c.user ? { auth: { user: c.user, pass: c.pass ?? '' } } : {}),
        connectionTimeout: ATTEMPT_TIMEOUT_MS,
        greetingTimeout: ATTEMPT_TIMEOUT_MS,
        socketTimeout: ATTEMPT_TIMEOUT_MS,
      });
      try {
        const info = await transport.sendMail({
          from: c.from,
          to: c.to,
          subject: headline(m),
          text: body(m),
          // The same Message-ID on every attempt lets mail systems drop a duplicate.
          messageId: `<${m.id}@hearth.invalid>`,
          headers: { 'X-Hearth-Idempotency-Key': m.id, 'X-Hearth-Alert': m.alert.id },
        });
        // The reply code only ("250"), not the server's text.
        return { ok: true, response: `${String(info.response ?? '').slice(0, 3)}`, error: null, retry: false };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        return { ok: false, response: code ? String(code) : null, error: code ? `SMTP ${code}` : errorText(err), retry: !(code && code >= 500) };
      } finally {
        transport.close();
      }
    }
  }
}
