import { createHash } from 'node:crypto';
import { ConveneError } from '../../shared/errors';
import {
  createKeyring,
  decryptCredential,
  encryptCredential,
  envelopeKeyId,
  generateMasterKey,
  keyIdOf,
  parseMasterKey,
  rewrap,
  type Keyring,
} from './envelope';

const tid = '11111111-2222-3333-4444-555555555555';
const otherTid = '99999999-2222-3333-4444-555555555555';
const secret = '{"clientId":"abc","clientSecret":"s3cr3t~ünïcode"}';

/** A fixed key so failures reproduce. */
const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);

type Json = Record<string, unknown> & { wk: Record<string, string> };

function edit(envelope: string, change: (e: Json) => void): string {
  const e = JSON.parse(envelope) as Json;
  change(e);
  return JSON.stringify(e);
}

/** Flip one bit of a base64 field. */
function flip(b64: string, byte = 0): string {
  const buf = Buffer.from(b64, 'base64');
  buf[byte] = buf[byte]! ^ 0x01;
  return buf.toString('base64');
}

/** `fn` throws a ConveneError with code `internal` and a message matching `message`. */
function expectInternal(fn: () => unknown, message: RegExp): void {
  expect(fn).toThrow(ConveneError);
  expect(fn).toThrow(expect.objectContaining({ code: 'internal', message: expect.stringMatching(message) }));
}

describe('keyIdOf', () => {
  it('is the first 8 bytes of SHA-256, in hex', () => {
    expect(keyIdOf(keyA)).toBe(createHash('sha256').update(keyA).digest('hex').slice(0, 16));
    expect(keyIdOf(keyA)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(keyA)).not.toBe(keyIdOf(keyB));
  });
});

describe('parseMasterKey', () => {
  it('decodes 32 bytes of standard or URL-safe base64', () => {
    const key = generateMasterKey();
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseMasterKey(`  ${key.toString('base64url')}\n`).equals(key)).toBe(true);
  });

  it.each([
    ['too short', Buffer.alloc(16, 1).toString('base64'), /must hold 32 bytes, it holds 16/],
    ['too long', Buffer.alloc(48, 1).toString('base64'), /must hold 32 bytes, it holds 48/],
    ['empty', '', /not base64/],
    ['not base64', 'this is not a key!', /not base64/],
  ])('refuses a key that is %s', (_label, text, message) => {
    expectInternal(() => parseMasterKey(text), message);
  });

  it('never puts the key in the message', () => {
    const text = Buffer.alloc(31, 7).toString('base64');
    expect(() => parseMasterKey(text)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(text) }));
  });
});

describe('encryptCredential / decryptCredential', () => {
  const ring: Keyring = createKeyring(keyA);

  it('round-trips a credential', () => {
    const envelope = encryptCredential(secret, tid, ring);
    expect(decryptCredential(envelope, tid, ring)).toBe(secret);
  });

  it('writes a versioned, self-describing envelope without the plaintext', () => {
    const envelope = encryptCredential(secret, tid, ring);
    const e = JSON.parse(envelope) as Json;
    expect(e).toEqual({
      v: 1,
      alg: 'A256GCM',
      kid: keyIdOf(keyA),
      wk: { iv: expect.any(String), ct: expect.any(String), tag: expect.any(String) },
      iv: expect.any(String),
      ct: expect.any(String),
      tag: expect.any(String),
    });
    expect(Buffer.from(e.wk.ct!, 'base64')).toHaveLength(32);
    expect(Buffer.from(e.iv as string, 'base64')).toHaveLength(12);
    expect(Buffer.from(e.tag as string, 'base64')).toHaveLength(16);
    expect(envelope).not.toContain('s3cr3t');
    expect(envelopeKeyId(envelope)).toBe(keyIdOf(keyA));
  });

  it('uses a fresh data key and nonce every time', () => {
    const a = JSON.parse(encryptCredential(secret, tid, ring)) as Json;
    const b = JSON.parse(encryptCredential(secret, tid, ring)) as Json;
    expect(a.ct).not.toBe(b.ct);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wk.ct).not.toBe(b.wk.ct);
  });

  it('refuses another tenant id (associated data binds the tenant)', () => {
    const envelope = encryptCredential(secret, tid, ring);
    expectInternal(() => decryptCredential(envelope, otherTid, ring), /could not be decrypted/);
  });

  it.each<[string, (e: Json) => void]>([
    ['ciphertext', (e) => (e.ct = flip(e.ct as string))],
    ['tag', (e) => (e.tag = flip(e.tag as string))],
    ['nonce', (e) => (e.iv = flip(e.iv as string))],
    ['wrapped data key', (e) => (e.wk.ct = flip(e.wk.ct!, 5))],
    ['wrapped data key tag', (e) => (e.wk.tag = flip(e.wk.tag!))],
    ['wrapped data key nonce', (e) => (e.wk.iv = flip(e.wk.iv!))],
  ])('refuses a tampered %s', (_label, change) => {
    const envelope = edit(encryptCredential(secret, tid, ring), change);
    expectInternal(() => decryptCredential(envelope, tid, ring), /could not be decrypted/);
  });

  it('refuses a truncated tag (no short-tag forgeries)', () => {
    const envelope = edit(encryptCredential(secret, tid, ring), (e) => {
      e.tag = Buffer.from(e.tag as string, 'base64')
        .subarray(0, 4)
        .toString('base64');
    });
    expectInternal(() => decryptCredential(envelope, tid, ring), /malformed nonce or tag/);
  });

  it('refuses a data key swapped in from another envelope', () => {
    const mine = JSON.parse(encryptCredential(secret, tid, ring)) as Json;
    const theirs = JSON.parse(encryptCredential(secret, tid, ring)) as Json;
    const mixed = JSON.stringify({ ...mine, wk: theirs.wk });
    expectInternal(() => decryptCredential(mixed, tid, ring), /could not be decrypted/);
  });

  it('refuses a keyring without the envelope key', () => {
    const envelope = encryptCredential(secret, tid, ring);
    expectInternal(() => decryptCredential(envelope, tid, createKeyring(keyB)), /not in the keyring/);
  });

  it('refuses a wrong key filed under the right id', () => {
    const envelope = encryptCredential(secret, tid, ring);
    const liar: Keyring = { currentKeyId: keyIdOf(keyA), keys: new Map([[keyIdOf(keyA), keyB]]) };
    expectInternal(() => decryptCredential(envelope, tid, liar), /could not be decrypted/);
  });

  it('refuses a relabelled key id (the id is bound to the wrapped key)', () => {
    const envelope = edit(encryptCredential(secret, tid, ring), (e) => (e.kid = keyIdOf(keyB)));
    const both: Keyring = {
      currentKeyId: keyIdOf(keyA),
      keys: new Map([
        [keyIdOf(keyA), keyA],
        [keyIdOf(keyB), keyA],
      ]),
    };
    expectInternal(() => decryptCredential(envelope, tid, both), /could not be decrypted/);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['another version', JSON.stringify({ v: 2 }), /not version 1/],
    ['missing fields', JSON.stringify({ v: 1, alg: 'A256GCM', kid: '0123456789abcdef' }), /malformed/],
  ])('refuses an envelope that is %s', (_label, text, message) => {
    expectInternal(() => decryptCredential(text, tid, ring), message);
  });
});

describe('rewrap (master key rotation)', () => {
  it('moves an envelope to the new key without touching the ciphertext', () => {
    const oldRing = createKeyring(keyA);
    const before = encryptCredential(secret, tid, oldRing);
    const after = rewrap(before, oldRing, keyB);

    expect(envelopeKeyId(after)).toBe(keyIdOf(keyB));
    const b = JSON.parse(before) as Json;
    const a = JSON.parse(after) as Json;
    expect([a.iv, a.ct, a.tag]).toEqual([b.iv, b.ct, b.tag]);
    expect(a.wk.ct).not.toBe(b.wk.ct);

    // Opens with only the new key; no longer with only the old one.
    expect(decryptCredential(after, tid, createKeyring(keyB))).toBe(secret);
    expect(() => decryptCredential(after, tid, oldRing)).toThrow(/not in the keyring/);
  });

  it('lets a rotating keyring open both old and new envelopes, sealing with the new key', () => {
    const rotating = createKeyring(keyB, [keyA]);
    const old = encryptCredential(secret, tid, createKeyring(keyA));
    const fresh = encryptCredential(secret, tid, rotating);
    expect(envelopeKeyId(fresh)).toBe(keyIdOf(keyB));
    expect(decryptCredential(old, tid, rotating)).toBe(secret);
    expect(decryptCredential(fresh, tid, rotating)).toBe(secret);
  });

  it('keeps the tenant binding', () => {
    const oldRing = createKeyring(keyA);
    const after = rewrap(encryptCredential(secret, tid, oldRing), oldRing, keyB);
    expectInternal(() => decryptCredential(after, otherTid, createKeyring(keyB)), /could not be decrypted/);
  });

  it('refuses to rewrap with a keyring that cannot open the envelope', () => {
    const envelope = encryptCredential(secret, tid, createKeyring(keyA));
    expectInternal(() => rewrap(envelope, createKeyring(keyB), keyB), /not in the keyring/);
  });

  it('refuses a new key that is not 32 bytes', () => {
    const ring = createKeyring(keyA);
    expectInternal(() => rewrap(encryptCredential(secret, tid, ring), ring, Buffer.alloc(16)), /32 bytes/);
  });
});
