import { describe, expect, it } from 'vitest';
import {
  formatMxHost,
  MxLookupError,
  mailExchangersOf,
  type ResolveMx,
} from '../../functions/shared/mail-exchangers.js';

const answering =
  (records: { exchange: string; priority: number }[]): ResolveMx =>
  async () =>
    records;
const failing =
  (code: string): ResolveMx =>
  async () => {
    throw Object.assign(new Error(`queryMx ${code} example.com`), { code });
  };

describe('mailExchangersOf', () => {
  it('orders MX hosts lowest preference first, ties in resolver order', async () => {
    const resolve = answering([
      { exchange: 'mx3.example.com', priority: 20 },
      { exchange: 'mx1.example.com', priority: 10 },
      { exchange: 'mx2.example.com', priority: 10 },
    ]);

    expect(await mailExchangersOf('example.com', resolve)).toEqual({
      kind: 'mx',
      hosts: [
        { exchange: 'mx1.example.com', priority: 10 },
        { exchange: 'mx2.example.com', priority: 10 },
        { exchange: 'mx3.example.com', priority: 20 },
      ],
    });
  });

  it('drops the root dot of an exchange', async () => {
    const result = await mailExchangersOf('example.com', answering([{ exchange: 'mx.example.com.', priority: 5 }]));

    expect(result.hosts).toEqual([{ exchange: 'mx.example.com', priority: 5 }]);
  });

  it('falls back to the domain itself when it has no MX records (RFC 5321 §5.1)', async () => {
    expect(await mailExchangersOf('example.com', failing('ENODATA'))).toEqual({
      kind: 'implicit',
      hosts: [{ exchange: 'example.com', priority: 0 }],
    });
  });

  it('falls back to the domain itself on an empty answer', async () => {
    expect((await mailExchangersOf('example.com', answering([]))).kind).toBe('implicit');
  });

  it.each(['', '.'])('reads a single preference-0 MX of %j as a null MX (RFC 7505)', async (exchange) => {
    expect(await mailExchangersOf('example.com', answering([{ exchange, priority: 0 }]))).toEqual({
      kind: 'null-mx',
      hosts: [],
    });
  });

  it('takes an empty exchange with another preference for no null MX', async () => {
    expect((await mailExchangersOf('example.com', answering([{ exchange: '', priority: 10 }]))).kind).toBe('mx');
  });

  it('takes a preference-0 exchange beside another record for no null MX', async () => {
    const resolve = answering([
      { exchange: '', priority: 0 },
      { exchange: 'mx.example.com', priority: 10 },
    ]);

    expect((await mailExchangersOf('example.com', resolve)).kind).toBe('mx');
  });

  it('throws MxLookupError naming the domain and code for a domain that does not exist', async () => {
    const act = mailExchangersOf('nosuch.example', failing('ENOTFOUND'));

    await expect(act).rejects.toThrow(MxLookupError);
    await expect(mailExchangersOf('nosuch.example', failing('ENOTFOUND'))).rejects.toThrow(
      'cannot resolve the MX records of nosuch.example: ENOTFOUND',
    );
  });

  it('keeps the code of a resolver failure', async () => {
    await expect(mailExchangersOf('example.com', failing('ESERVFAIL'))).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('uses the message of an error without a code', async () => {
    const resolve: ResolveMx = async () => {
      throw new Error('boom');
    };

    await expect(mailExchangersOf('example.com', resolve)).rejects.toMatchObject({
      message: 'cannot resolve the MX records of example.com: boom',
      code: undefined,
    });
  });
});

describe('formatMxHost', () => {
  it('shows preference then host', () => {
    expect(formatMxHost({ exchange: 'mx1.example.com', priority: 10 })).toBe('10 mx1.example.com');
  });
});
