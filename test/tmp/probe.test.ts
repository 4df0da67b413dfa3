import { PGlite } from '@electric-sql/pglite';
import { jwtVerify, SignJWT, generateKeyPair } from 'jose';
test('probe', async () => {
  const db = await PGlite.create();
  const r = await db.query<{ x: number }>('select 1 as x');
  expect(r.rows[0]!.x).toBe(1);
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const t = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
  expect((await jwtVerify(t, publicKey)).payload.a).toBe(1);
});
