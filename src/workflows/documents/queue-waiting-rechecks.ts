import type { Ports } from '../ports'

/** Daily (`documents.recheck-all`): the directory changes (services closed, structures deactivated); re-check what waits. */
export async function queueWaitingRechecks(ports: Ports): Promise<number> {
  const rows = await ports.db.selectFrom('documents').select('id').where('stage', '=', 'to_submit').execute()
  for (const r of rows) await ports.jobs.enqueue('document.recheck', { documentId: r.id })
  return rows.length
}
