import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/**
 * Browser-facing headers on every response (docs/security.md): a CSP that
 * allows only the console's own scripts, styles and connections (the
 * WebSocket stream included) and no framing; nosniff; no referrer; and
 * `Cache-Control: no-store` on every /api answer, since they hold health data.
 * HSTS only when the cookie is Secure (behind TLS).
 */
export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    const secure = app.hearth.config.cookieSecure;
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'", (req) => `ws://${req.headers.host ?? 'localhost'}`, (req) => `wss://${req.headers.host ?? 'localhost'}`],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: secure ? { maxAge: 31536000 } : false,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
    });
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.url.startsWith('/api/')) {
        reply.header('cache-control', 'no-store');
        reply.header('pragma', 'no-cache');
      }
      return payload;
    });
  },
  { name: 'hearth-security-headers', dependencies: ['hearth-services'] },
);
