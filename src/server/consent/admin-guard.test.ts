import { isConveneError } from '../../shared/errors';
import type { AuthContext } from '../auth/user-token';
import { requireTenantAdmin } from './admin-guard';

const TID = '2f3b8c1e-6a4d-4c7b-9e21-5d8f0a6b4c31';
const auth = (over: Partial<AuthContext>): AuthContext => ({ tid: TID, oid: 'o', username: 'u', name: 'n', roles: [], exp: 0, ...over });

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isConveneError(e) ? e.code : 'other';
  }
}

describe('requireTenantAdmin', () => {
  it("passes only the tenant's own Convene.Admin users", () => {
    expect(codeOf(() => requireTenantAdmin(auth({ roles: ['Convene.Admin'] }), TID))).toBeUndefined();
    expect(codeOf(() => requireTenantAdmin(auth({ roles: ['Convene.Admin'] }), TID.toUpperCase()))).toBeUndefined();
    expect(codeOf(() => requireTenantAdmin(undefined, TID))).toBe('unauthenticated');
    expect(codeOf(() => requireTenantAdmin(auth({ roles: [] }), TID))).toBe('forbidden');
    expect(codeOf(() => requireTenantAdmin(auth({ roles: ['convene.admin'] }), TID))).toBe('forbidden');
    expect(codeOf(() => requireTenantAdmin(auth({ tid: '8e4a2d90-1b7c-4f3e-a5d6-7c9b0e1f2a43', roles: ['Convene.Admin'] }), TID))).toBe(
      'forbidden',
    );
  });
});
