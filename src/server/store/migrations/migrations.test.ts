import { migrations } from '.';

describe('migrations', () => {
  it('are numbered 1..n with distinct kebab-case names', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
    for (const m of migrations) expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('hold one statement per string (PGlite runs each with the extended protocol)', () => {
    for (const m of migrations) {
      for (const statement of m.statements) {
        // Semicolons are allowed only inside $$-quoted function bodies.
        const outsideBodies = statement
          .split('$$')
          .filter((_, i) => i % 2 === 0)
          .join('');
        expect(outsideBodies).not.toMatch(/;/);
      }
    }
  });
});
