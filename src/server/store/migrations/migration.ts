/**
 * The shape of one schema migration. Migrations are TypeScript modules (not `.sql` files) so
 * that `tsc` ships them in `dist/` with the code that needs them.
 */

/** One forward-only schema change. */
export interface Migration {
  /** Strictly increasing from 1, without gaps; never renumber or edit a released migration. */
  readonly version: number;
  /** Short kebab-case name, recorded next to the version to catch edited history. */
  readonly name: string;
  /** PostgreSQL statements run in order inside the migration transaction, one per string. */
  readonly statements: readonly string[];
}
