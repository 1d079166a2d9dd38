import { sql, type Kysely } from 'kysely'

/**
 * The submission route gets `auto` (a valid Factur-X goes as a flow, any other PDF by the PDF route), and
 * `auto` becomes the default (issue 15, item 7).
 *
 * Existing accounts: only those that never chose a route move to `auto`; a person's choice is kept. The
 * evidence of a choice is what the database holds: a route other than the old default (`facturx`), or an
 * audited change of `submissionRoute` (PATCH /accounts/{id} audits the names of the changed fields). An
 * account created with `submissionRoute: "pdf"` in its creation request cannot be told apart from one left
 * at the default (the creation audit did not record it), so it moves to `auto` too; from now on
 * `submission_route_chosen` records whether the route was given at creation or changed since.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // The inline CHECK of migration 0001 has a name PostgreSQL chose (accounts_submission_route_check): find it rather than guess.
  const checks = await sql<{ conname: string }>`
    select conname from pg_constraint
    where conrelid = 'accounts'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%submission_route%'`.execute(db)
  for (const c of checks.rows) await sql`alter table accounts drop constraint ${sql.id(c.conname)}`.execute(db)
  await sql`alter table accounts add constraint accounts_submission_route_check check (submission_route in ('auto', 'pdf', 'facturx'))`.execute(db)
  await db.schema.alterTable('accounts').addColumn('submission_route_chosen', 'boolean', (c) => c.notNull().defaultTo(false)).execute()
  await sql`
    update accounts a set submission_route_chosen = true
    where a.submission_route <> 'pdf'
       or exists (
         select 1 from audit_log l
         where l.action = 'account.update' and l.target_type = 'account' and l.target_id = a.id::text
           and jsonb_typeof(l.details -> 'changed') = 'array' and (l.details -> 'changed') @> '["submissionRoute"]'::jsonb
       )`.execute(db)
  await sql`update accounts set submission_route = 'auto' where not submission_route_chosen`.execute(db)
  await sql`alter table accounts alter column submission_route set default 'auto'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update accounts set submission_route = 'pdf' where submission_route = 'auto'`.execute(db)
  await sql`alter table accounts alter column submission_route set default 'pdf'`.execute(db)
  await db.schema.alterTable('accounts').dropColumn('submission_route_chosen').execute()
  await sql`alter table accounts drop constraint accounts_submission_route_check`.execute(db)
  await sql`alter table accounts add constraint accounts_submission_route_check check (submission_route in ('pdf', 'facturx'))`.execute(db)
}
