/** Where a document is in its life, from intake to Chorus Pro (documents.stage). */
export type DocumentStage = 'received' | 'analysing' | 'to_submit' | 'submitting' | 'submitted' | 'removed'

/** The state the host shows for a document (DESIGN.md, "Shapes the host relies on"). */
export type DocumentState = 'analysing' | 'ready' | 'incomplete' | 'error' | 'submitted' | 'removed'

export interface DocumentStateInput {
  readonly stage: DocumentStage | string
  readonly ready: boolean
  readonly analysis_status: 'pending' | 'done' | 'error' | string
  readonly analysis_error?: unknown
  readonly submit_error?: unknown
}

/**
 * One pure rule for the colour of a document. An error (analysis failed, a refused file, or Chorus
 * refused the submission) wins over ready/incomplete: such a document waits for a person.
 * `submitting` stays `ready` (green, being sent) until Chorus has answered.
 */
export function documentState(row: DocumentStateInput): DocumentState {
  switch (row.stage) {
    case 'removed':
      return 'removed'
    case 'submitted':
      return 'submitted'
    case 'received':
    case 'analysing':
      return row.analysis_status === 'error' ? 'error' : 'analysing'
  }
  if (row.analysis_status === 'error' || row.analysis_error != null || row.submit_error != null) return 'error'
  if (row.stage === 'submitting') return 'ready'
  return row.ready ? 'ready' : 'incomplete'
}

/** The states a filter may ask for, and the stages each one lives in (for SQL). */
export const DOCUMENT_STATES: readonly DocumentState[] = ['analysing', 'ready', 'incomplete', 'error', 'submitted', 'removed']
