import { entityDatabase } from '../../../../test/support/test-database';
import { ApiToken } from './api-token.entity';
import { TokenService } from './token.service';

describe('TokenService', () => {
  const db = entityDatabase([ApiToken]);
  let tokens: TokenService;
  beforeAll(() => {
    tokens = new TokenService(db.dataSource);
  });

  it('stores only a hash, authenticates the token and stops it at once when revoked', async () => {
    const created = await tokens.create('auditor', 'Li Auditor');
    const [row] = await db.dataSource.query('SELECT "tokenHash" FROM api_tokens WHERE id = $1', [created.id]);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await tokens.list())).not.toContain(created.token);
    await expect(tokens.authenticate(created.token)).resolves.toEqual({ kind: 'staff', id: created.id, name: 'Li Auditor', role: 'auditor' });
    await expect(tokens.revoke(created.id)).resolves.toBe(true);
    await expect(tokens.authenticate(created.token)).resolves.toBeUndefined();
    await expect(tokens.revoke(created.id)).resolves.toBe(false);
  });

  it('refuses unknown roles and nameless tokens', async () => {
    await expect(tokens.create('admin' as never, 'x')).rejects.toThrow(/role must be one of clerk, auditor/);
    await expect(tokens.create('clerk', '  ')).rejects.toThrow(/needs a name/);
    await expect(tokens.authenticate('lt_not-a-token')).resolves.toBeUndefined();
  });
});
