import { describe, expect, it } from 'vitest';
import { createApiLogger, requestLogView } from './logging';

function capture(): { logger: ReturnType<typeof createApiLogger>; text: () => string } {
  const lines: string[] = [];
  return { logger: createApiLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } }), text: () => lines.join('') };
}

describe('createApiLogger', () => {
  it('redacts credentials wherever headers are logged', () => {
    const { logger, text } = capture();
    const secret = 'Bearer secret-token-0123456789abcdef';
    logger.info({ authorization: secret, headers: { authorization: secret, 'proxy-authorization': secret, cookie: secret, 'x-api-key': secret } }, 'a');
    logger.info({ request: { headers: { authorization: secret } }, raw: { rawHeaders: ['Authorization', secret] } }, 'b');
    logger.info({ x: { req: { headers: { authorization: secret } } }, token: secret }, 'c');
    expect(text()).not.toContain('secret-token');
    expect(text()).toContain('[redacted]');
  });

  it('logs requests by method and path, never headers or the query string', () => {
    const { logger, text } = capture();
    logger.info({ req: { method: 'GET', url: '/accounts/1?access_token=secret-token-0123456789abcdef', ip: '10.0.0.1', headers: { authorization: 'x' } } }, 'incoming request');
    expect(JSON.parse(text())).toMatchObject({ service: 'api', req: { method: 'GET', url: '/accounts/1?…', remoteAddress: '10.0.0.1' } });
    expect(text()).not.toContain('secret-token');
    expect(text()).not.toContain('headers');
    expect(requestLogView({ method: 'POST', url: '/transfers' })).toEqual({ method: 'POST', url: '/transfers', remoteAddress: undefined });
  });
});
