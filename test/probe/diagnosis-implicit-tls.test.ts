import { describe, expect, it } from 'vitest';
import { implicitTlsHint } from '../../functions/probe/diagnosis.js';

describe('implicitTlsHint', () => {
  it('names implicit TLS for a banner timeout on port 465 without it', () => {
    expect(implicitTlsHint('banner-timeout', 465, false)).toBe(
      '; port 465 usually speaks implicit TLS (RFC 8314), where the server waits for the TLS handshake before it greets: probe again with --tls',
    );
  });

  it('says nothing when implicit TLS was used', () => {
    expect(implicitTlsHint('banner-timeout', 465, true)).toBe('');
  });

  it('says nothing on another port', () => {
    expect(implicitTlsHint('banner-timeout', 587, false)).toBe('');
  });

  it('says nothing for another outcome on port 465', () => {
    expect(implicitTlsHint('timeout', 465, false)).toBe('');
  });
});
