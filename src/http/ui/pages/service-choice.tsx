import { acceptableServices, serviceChoiceText, structureNeeds, type StructureServices } from '../../../domain/service-choices'
import type { PageCtx } from '../layout'

/** The select of acceptable services (and its search box when there are many), for a form that draws its own field around it. */
export function ServiceSelect(props: { ctx: PageCtx; id: string; name: string; label: string; value: string | null; structure: StructureServices; describedBy: string; invalid?: boolean }) {
  const { ctx, id, structure } = props
  const { t, lang } = ctx
  const choices = acceptableServices(structure)
  const current = props.value && !choices.some((c) => c.code === props.value) ? props.value : null
  return (
    <>
      {choices.length > 8 && <input type="search" class="service-filter" data-filter-for={id} placeholder={t('searchService')} aria-label={`${t('searchService')} (${props.label})`} />}
      <select id={id} name={props.name} data-empty="null" aria-describedby={props.describedBy} aria-invalid={props.invalid ? 'true' : undefined}>
        {!structure.serviceRequired && <option value="" selected={!props.value}>{t('noService')}</option>}
        {structure.serviceRequired && !props.value && <option value="" selected disabled>{t('chooseService')}</option>}
        {current && (
          <option value={current} selected disabled>
            {`${current}${ctx.colon}${t('serviceRefused')}`}
          </option>
        )}
        {choices.map((c) => (
          <option value={c.code} selected={c.code === props.value} data-engagement={c.engagementRequired ? 'true' : undefined}>
            {serviceChoiceText(c)[lang]}
          </option>
        ))}
      </select>
    </>
  )
}

/** What the recipient requires, for the hint beneath a service choice. */
export function needsText(ctx: PageCtx, structure: StructureServices | null, editable: boolean): string {
  if (!structure) return editable ? ctx.t('directoryUnavailable') : ''
  return structureNeeds(structure)?.[ctx.lang] ?? ''
}

/**
 * The service code as a choice (issue 17, items 5 and 9): the recipient's services that Chorus Pro would
 * accept (active, never FACTURES_PUBLIQUES), each saying when it needs an engagement number, searchable
 * when there are many; what the recipient requires is said beneath. ui.js reloads the choices when the
 * SIRET field changes and marks the engagement number as required when the chosen service needs one.
 * Without the directory (a lookup that failed), a plain text field.
 */
export function ServiceChoice(props: {
  ctx: PageCtx
  id: string
  name: string
  label: string
  value: string | null
  structure: StructureServices | null
  siretInputId: string
  engagementInputId: string
  accountId: string | null
  readonly?: boolean
  describedBy?: string
}) {
  const { ctx, id, structure } = props
  const describedBy = [`${id}-needs`, props.describedBy].filter(Boolean).join(' ')
  return (
    <div class="field service-choice" data-service-chooser data-siret-input={props.siretInputId} data-engagement-input={props.engagementInputId} data-account={props.accountId ?? ''} data-enforce="true" data-field="serviceCode">
      <label for={id}>{props.label}</label>
      {structure && !props.readonly ? (
        <ServiceSelect ctx={ctx} id={id} name={props.name} label={props.label} value={props.value} structure={structure} describedBy={describedBy} />
      ) : (
        <input type="text" id={id} name={props.name} value={props.value ?? ''} data-empty="null" aria-describedby={describedBy} readonly={props.readonly} />
      )}
      <span class="hint" id={`${id}-needs`} data-role="needs">
        {needsText(ctx, structure, !props.readonly)}
      </span>
    </div>
  )
}
