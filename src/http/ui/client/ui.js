// @ts-check
/*
 * The pages' own script: plain browser JavaScript, served as it is (no build step), allowed by a CSP
 * that permits nothing inline. Type-checked by TypeScript with the DOM lib (tsconfig.json next to it,
 * run by `npm test`); the types below are JSDoc only.
 *
 * Forms carry data-api="METHOD /path" (on the form or on its submit button) and are sent as JSON
 * (or multipart) to the session bridge; the answer becomes a message, a reload or a navigation.
 */

/**
 * The body of an API error answer (src/http/error-response.ts).
 * @typedef {{ field?: string, label?: string, message?: string }} ErrorDetail
 * @typedef {{ code?: string, message?: string, details?: ErrorDetail[] | { raw?: { libelle?: string } } }} ApiError
 * @typedef {{ error?: ApiError | null }} ErrorBody
 */

/**
 * One item of a batch answer (ok is there only in batch answers, not in plain listings).
 * @typedef {{ id: string, ok?: boolean, status?: string, message?: string, code?: string }} BatchItem
 */

/**
 * What a form's API call may answer, whichever route it was; each field is read only when present.
 * @typedef {ErrorBody & {
 *   nextDocumentId?: string | null,
 *   key?: string,
 *   steps?: Array<{ ok: boolean, message: string }>,
 *   message?: string,
 *   ok?: boolean,
 *   items?: BatchItem[],
 *   created?: number,
 *   updated?: number,
 *   errors?: unknown[],
 *   applied?: boolean,
 *   totals?: { lines: number, created: number, updated: number, unchanged: number, errors: number },
 *   recheckedDocuments?: number,
 *   lines?: Array<{ line: number, status: string, errors: Array<{ column: string | null, problem?: string, message: string }> }>,
 *   jobId?: string,
 * }} Answer
 */

/**
 * An export job (src/http/api/exports-routes.ts): its file URL is there once it is done.
 * @typedef {{ id: string, rowsDone: number, rowsTotal: number | null, progress: number | null, error: string | null }} ExportJobBase
 * @typedef {ExportJobBase & ({ state: 'done', fileUrl: string } | { state: 'pending' | 'running' | 'failed' | 'expired', fileUrl: null })} ExportJob
 */

/** A JSON object being built from a form (dotted names make nested objects). @typedef {{ [key: string]: any }} JsonObject */

(() => {
  'use strict'
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || ''
  const base = document.querySelector('meta[name="api-base"]')?.getAttribute('content') || '/ui/api/v1'
  const en = document.documentElement.lang === 'en'
  /** @param {string} fr @param {string} e */
  const say = (fr, e) => (en ? e : fr)
  const flashBox = document.getElementById('flash')
  /** @param {string | null} message @param {string} [kind] */
  function flash(message, kind) {
    if (!flashBox) return
    flashBox.className = 'alert ' + (kind === 'bad' ? 'bad' : 'ok')
    flashBox.textContent = message
  }
  try {
    const kept = sessionStorage.getItem('ui-flash')
    if (kept) { sessionStorage.removeItem('ui-flash'); const f = JSON.parse(kept); flash(f.message, f.kind) }
  } catch {}
  /** A message for the next page (after a reload or a navigation). @param {string | null} message @param {string} kind */
  function later(message, kind) { try { sessionStorage.setItem('ui-flash', JSON.stringify({ message, kind })) } catch {} }

  /** @param {JsonObject} obj @param {string} path @param {unknown} value */
  function setPath(obj, path, value) {
    const parts = path.split('.')
    let o = obj
    for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]] = o[parts[i]] || {}
    o[parts[parts.length - 1]] = value
  }
  /** @param {HTMLFormElement} form @returns {JsonObject} */
  function formJson(form) {
    /** @type {JsonObject} */
    const out = {}
    const changedOnly = form.dataset.changedOnly === 'true'
    for (const el of form.elements) {
      // Only fields have a value to send (buttons, fieldsets and outputs do not).
      if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) continue
      if (!el.name || el.disabled || el.name === '_csrf' || el.type === 'submit' || el.type === 'button' || el.type === 'file') continue
      const type = el.dataset.type || ''
      if (el instanceof HTMLInputElement && el.type === 'checkbox') {
        if (type === 'boolean') { if (!changedOnly || el.checked !== el.defaultChecked) setPath(out, el.name, el.checked); continue }
        if (el.checked) { out[el.name] = out[el.name] || []; out[el.name].push(el.value) }
        continue
      }
      if (el instanceof HTMLInputElement && el.type === 'radio') { if (el.checked) setPath(out, el.name, el.value); continue }
      if (el instanceof HTMLSelectElement && el.multiple) { setPath(out, el.name, Array.from(el.selectedOptions).map((o) => o.value)); continue }
      // A choice left as the page gave it is not an edit.
      if (changedOnly && el instanceof HTMLSelectElement && (!el.selectedOptions[0] || el.selectedOptions[0].defaultSelected)) continue
      if (changedOnly && !(el instanceof HTMLSelectElement) && el.value === el.defaultValue) continue
      /** @type {string | number | boolean | null} */
      let v = el.value
      if (v === '') { if (el.dataset.empty === 'null') v = null; else continue }
      if (type === 'number' && v !== null) v = Number(v)
      if (type === 'boolean') v = v === 'true'
      setPath(out, el.name, v)
    }
    return out
  }
  /** @param {ErrorBody | null | undefined} data @param {number} status @returns {string} */
  function errorText(data, status) {
    const e = data && data.error
    if (!e) return status === 0 ? say('Le connecteur ne répond pas : vérifiez la connexion puis réessayez.', 'The connector does not answer: check the connection, then try again.') : say('Le connecteur n’a pas pu traiter la demande. Réessayez ; si cela dure, prévenez votre administrateur.', 'The connector could not handle the request. Try again; if it lasts, tell your administrator.')
    // The message is in the person's language and already names every bad field with its label; the details
    // are for programs (and go under their fields, markFieldErrors). Chorus Pro's own words stay visible.
    let text = e.message || e.code || ''
    if (!Array.isArray(e.details) && e.details && e.details.raw && e.details.raw.libelle) text += ' (Chorus Pro : ' + e.details.raw.libelle + ')'
    return text
  }
  /** @param {BatchItem[]} items */
  function batchText(items) {
    const ok = items.filter((i) => i.ok).length
    const bad = items.filter((i) => !i.ok)
    let text = say(ok + ' document(s) traité(s).', ok + ' document(s) done.')
    // Each refused document by its file name, as the list shows it (never an id).
    const name = (/** @type {string} */ id) => { const row = document.querySelector('tr[data-document-id="' + id + '"]'); return (row instanceof HTMLElement && row.dataset.filename) || say('un document', 'a document') }
    if (bad.length) text += ' ' + say(bad.length + ' refusé(s) : ', bad.length + ' refused: ') + bad.map((i) => name(i.id) + say(' : ', ': ') + (i.message || say('refusé', 'refused'))).join(say(' ; ', '; '))
    return { text, kind: bad.length ? 'bad' : 'ok' }
  }
  /**
   * The JSON of an API answer; throws the error text when the answer is not 2xx.
   * @param {Response} res
   */
  async function answerOf(res) {
    const body = await res.json()
    if (!res.ok) throw new Error(errorText(body, res.status))
    return body
  }
  /** The element a selector finds, when it is an HTML one. @param {ParentNode} root @param {string} selector */
  function find(root, selector) {
    const el = root.querySelector(selector)
    return el instanceof HTMLElement ? el : null
  }

  /**
   * After a refused action, the server-rendered parts that may have changed (the state badge, the document's
   * error, each field's origin and problems: elements with data-live) are read again from the server and
   * swapped in place. The inputs are left alone: what the person typed stays.
   */
  async function refreshLive() {
    if (!document.querySelector('[data-live]')) return
    try {
      const res = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      if (!res.ok) return
      const fresh = new DOMParser().parseFromString(await res.text(), 'text/html')
      for (const el of Array.from(document.querySelectorAll('[data-live]'))) {
        if (!(el instanceof HTMLElement)) continue
        const next = fresh.querySelector('[data-live="' + el.dataset.live + '"]')
        if (next) el.replaceWith(document.importNode(next, true))
      }
    } catch {}
  }
  /** A field's invalid state follows the problems shown under it. @param {ParentNode} root */
  function syncInvalid(root) {
    for (const box of Array.from(root.querySelectorAll('[data-field-problems]'))) {
      const field = box.closest('.field')
      const input = field && field.querySelector('input, select, textarea')
      const has = box.children.length > 0
      if (field) field.classList.toggle('has-problem', has)
      if (input) { if (has) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid') }
    }
  }
  /**
   * Field errors of a 400 answer (details: [{ field, message }]) under the fields they name.
   * @param {HTMLFormElement} form @param {Answer | null | undefined} data
   */
  function markFieldErrors(form, data) {
    const details = data && data.error && data.error.details
    if (!Array.isArray(details)) return
    for (const d of details) {
      if (!d.field) continue
      const name = d.field.replace(/^fields\./, '')
      const box = form.querySelector('[data-field-problems="' + name + '"]')
      if (!box) continue
      const span = document.createElement('span')
      span.className = 'problem'
      // Under its own field, the field's name need not be said again.
      const message = d.message || ''
      span.textContent = d.label && message.startsWith(d.label) ? message.slice(d.label.length).replace(/^\s*:\s*/, '').replace(/^./, (c) => c.toUpperCase()) : message
      box.appendChild(span)
    }
    syncInvalid(form)
  }

  /**
   * The lines an import refused, as a table: line, column, problem.
   * @param {NonNullable<Answer['lines']>} lines
   */
  function showImportErrors(lines) {
    const box = document.getElementById('import-report')
    if (!box) return
    box.textContent = ''
    const table = document.createElement('table')
    const caption = document.createElement('caption')
    caption.textContent = say('Lignes à corriger', 'Lines to fix')
    table.appendChild(caption)
    const head = table.createTHead().insertRow()
    for (const h of [say('Ligne', 'Line'), say('Colonne', 'Column'), say('Problème', 'Problem')]) {
      const th = document.createElement('th')
      th.scope = 'col'
      th.textContent = h
      head.appendChild(th)
    }
    const body = table.createTBody()
    for (const l of lines) {
      for (const e of l.errors) {
        const row = body.insertRow()
        row.dataset.line = String(l.line)
        for (const v of [String(l.line), e.column || '—', e.problem || e.message]) row.insertCell().textContent = v
      }
    }
    const wrap = document.createElement('div')
    wrap.className = 'table-wrap'
    wrap.appendChild(table)
    box.appendChild(wrap)
  }

  /**
   * "Déposer la sélection": each queued document followed until Chorus Pro has answered, with a bar, then
   * what happened (submitted, refused with the reason, still waiting) and a link to Tracking.
   * @param {BatchItem[]} items
   */
  async function followSubmissions(items) {
    const box = document.getElementById('bulk-status')
    const bar = document.getElementById('bulk-progress')
    const text = document.getElementById('bulk-text')
    const link = document.getElementById('bulk-link')
    if (!box || !(bar instanceof HTMLProgressElement) || !text || !(link instanceof HTMLAnchorElement)) return false
    const name = (/** @type {string} */ id) => { const row = document.querySelector('tr[data-document-id="' + id + '"]'); return (row instanceof HTMLElement && row.dataset.filename) || say('un document', 'a document') }
    const queued = items.filter((i) => i.ok && i.status === 'queued').map((i) => i.id)
    let submitted = items.filter((i) => i.ok && i.status !== 'queued').length
    for (const i of items) if (i.ok && i.status !== 'queued') document.querySelector('tr[data-document-id="' + i.id + '"]')?.remove()
    /** @type {string[]} */
    const refused = items.filter((i) => !i.ok).map((i) => name(i.id) + say(' : ', ': ') + (i.message || '').replace(/\.$/, ''))
    const total = items.length
    box.hidden = false
    link.hidden = true
    bar.max = total
    /** @type {Set<string>} */
    const pending = new Set(queued)
    const show = () => {
      bar.value = total - pending.size
      text.textContent = say('Dépôt en cours : ', 'Submitting: ') + (total - pending.size) + ' / ' + total
    }
    show()
    const deadline = Date.now() + 3 * 60_000
    while (pending.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 800))
      for (const id of Array.from(pending)) {
        /** @type {{ state: string, stage: string, error: { message: string } | null }} */
        let d
        try { d = await answerOf(await fetch(base + '/documents/' + encodeURIComponent(id), { credentials: 'same-origin' })) } catch { continue }
        if (d.state === 'submitted') {
          submitted++
          pending.delete(id)
          // Gone from To submit, as a reload would show.
          document.querySelector('tr[data-document-id="' + id + '"]')?.remove()
        } else if (d.state === 'error' || (d.stage === 'to_submit' && d.state !== 'ready')) { refused.push(name(id) + say(' : ', ': ') + ((d.error && d.error.message) || say('refusé', 'refused')).replace(/\.$/, '')); pending.delete(id) }
      }
      show()
    }
    bar.value = total - pending.size
    const parts = [submitted + say(' facture(s) déposée(s)', ' invoice(s) submitted')]
    if (refused.length) parts.push(refused.length + say(' refusée(s) : ', ' refused: ') + refused.join(say(' ; ', '; ')))
    if (pending.size) parts.push(pending.size + say(' en attente de Chorus Pro (le dépôt sera retenté)', ' waiting for Chorus Pro (the submission will be retried)'))
    text.textContent = (say('Terminé : ', 'Done: ') + parts.join(say(' ; ', '; '))).replace(/\.$/, '') + '.'
    box.className = 'alert ' + (refused.length || pending.size ? 'bad' : 'ok')
    link.hidden = submitted === 0
    return true
  }

  /**
   * "Analyser maintenant": the scan followed until the source records it, then what it found, with a link
   * to To submit.
   * @typedef {{ id: string, lastScanAt: string | null, lastScanStats: Record<string, number> | null, scanPending: boolean, lastError: string | null }} SourceState
   * @param {HTMLFormElement} form @param {number} since
   */
  async function followScan(form, since) {
    const out = find(form, '[data-role="form-message"]')
    const id = form.dataset.sourceId
    if (!out || !id) return false
    out.className = 'alert ok'
    out.textContent = say('Passage en cours…', 'Scanning…')
    const deadline = Date.now() + 3 * 60_000
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 700))
      /** @type {{ items: SourceState[] }} */
      let list
      try { list = await answerOf(await fetch(base + '/sources', { credentials: 'same-origin' })) } catch { continue }
      const s = list.items.find((x) => x.id === id)
      if (!s || s.scanPending || !s.lastScanAt || Date.parse(s.lastScanAt) < since - 2000) continue
      const st = s.lastScanStats || {}
      out.textContent = say('Passage terminé : ', 'Scan done: ') + (st.received || 0) + say(' document(s) reçu(s)', ' document(s) received') +
        (st.duplicates ? say(', ' + st.duplicates + ' déjà connu(s)', ', ' + st.duplicates + ' already known') : '') +
        (st.refused ? say(', ' + st.refused + ' refusé(s)', ', ' + st.refused + ' refused') : '') +
        (s.lastError ? say('. Problème : ', '. Problem: ') + s.lastError : '.')
      out.className = 'alert ' + (s.lastError ? 'bad' : 'ok')
      {
        // The watcher may have taken a new file before this scan: the list is the place to look either way.
        const a = document.createElement('a')
        a.href = '/ui/to-submit'
        a.textContent = say(' Voir « À déposer »', ' See “To submit”')
        out.appendChild(a)
      }
      return true
    }
    out.textContent = say('Le passage prend du temps : il continue, revenez dans un moment.', 'The scan is taking a while: it goes on, come back in a moment.')
    return true
  }

  /**
   * A status sync a person asked for: progress while it runs, then what changed, never "done" before it is.
   * @typedef {{ state: 'waiting' | 'running' | 'done' | 'failed', retryAt: string | null, changed: number | null, discovered: number | null }} SyncProgress
   * @param {string} jobId
   */
  async function followSync(jobId) {
    const bar = document.getElementById('sync-progress')
    const status = document.getElementById('sync-status')
    const show = document.getElementById('sync-show')
    if (!status) return
    if (bar) bar.hidden = false
    if (show) show.hidden = true
    status.className = ''
    const clock = (/** @type {string} */ iso) => new Date(iso).toLocaleTimeString(en ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' })
    for (let i = 0; i < 900; i++) {
      /** @type {SyncProgress} */
      let p
      try {
        p = await answerOf(await fetch(base + '/invoices/sync/' + encodeURIComponent(jobId), { credentials: 'same-origin' }))
      } catch (e) {
        status.textContent = String((e instanceof Error && e.message) || e)
        status.className = 'alert bad'
        if (bar) bar.hidden = true
        return
      }
      if (p.state === 'done') {
        if (bar) bar.hidden = true
        const changed = p.changed || 0
        const found = p.discovered || 0
        status.textContent = changed === 0 && found === 0
          ? say('Synchronisation terminée : aucun statut n’a changé.', 'Sync finished: no status changed.')
          : say('Synchronisation terminée : ', 'Sync finished: ') + [
            changed ? changed + say(' statut(s) mis à jour', ' status(es) updated') : '',
            found ? found + say(' facture(s) trouvée(s) dans Chorus Pro', ' invoice(s) found in Chorus Pro') : '',
          ].filter(Boolean).join(say(' ; ', '; ')) + '.'
        status.className = 'alert ok'
        if (show && (changed || found)) show.hidden = false
        return
      }
      if (p.state === 'failed') {
        if (bar) bar.hidden = true
        status.textContent = say('La synchronisation a échoué. Réessayez plus tard ; si cela dure, prévenez votre administrateur.', 'The sync failed. Try again later; if it lasts, tell your administrator.')
        status.className = 'alert bad'
        return
      }
      status.textContent = p.retryAt
        ? say('Chorus Pro ne répond pas : nouvel essai à ' + clock(p.retryAt) + '.', 'Chorus Pro does not answer: next try at ' + clock(p.retryAt) + '.')
        : p.state === 'running' ? say('Synchronisation en cours…', 'Syncing…') : say('Synchronisation demandée, elle va commencer…', 'Sync requested, about to start…')
      await new Promise((r) => setTimeout(r, p.retryAt ? 5000 : 700))
    }
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target
    if (!(form instanceof HTMLFormElement)) return
    const button = event.submitter
    const spec = (button && button.dataset.api) || form.dataset.api
    if (!spec) return
    event.preventDefault()
    const question = (button && button.dataset.confirm) || form.dataset.confirm
    const out = find(form, '[data-role="form-message"]')
    if (out) { out.textContent = ''; out.className = 'alert' }
    // A message of an earlier action ("Enregistré.") never stays above the answer to this one.
    flash(null)
    const report = form.dataset.then === 'import-report' ? document.getElementById('import-report') : null
    if (report) report.textContent = ''
    if (form.dataset.needsSelection && !form.querySelector('input[name="ids"]:checked')) {
      if (out) { out.className = 'alert bad'; out.textContent = form.dataset.needsSelection }
      return
    }
    if (question && !window.confirm(question)) return
    const [method, path] = spec.split(' ')
    const startedAt = Date.now()
    /** @type {Record<string, string>} */
    const headers = { 'x-csrf-token': csrf, accept: 'application/json' }
    /** @type {FormData | string | undefined} */
    let body
    if (form.dataset.encoding === 'multipart') { body = new FormData(form); body.delete('_csrf') }
    else if (method !== 'DELETE' && !(button && button.dataset.noBody)) { headers['content-type'] = 'application/json'; body = JSON.stringify(formJson(form)) }
    const buttons = form.querySelectorAll('button')
    buttons.forEach((b) => (b.disabled = true))
    form.setAttribute('aria-busy', 'true')
    /** @type {Response | { ok: false, status: number }} */
    let res
    /** @type {Answer | null | undefined} */
    let data
    try {
      res = await fetch(base + path, { method, headers, body, credentials: 'same-origin' })
      data = await res.json().catch(() => null)
    } catch (e) {
      res = { ok: false, status: 0 }
    } finally {
      buttons.forEach((b) => (b.disabled = false))
      form.removeAttribute('aria-busy')
    }
    if (!res.ok) {
      const text = errorText(data, res.status)
      // The state, the document's error and the field problems as the server now sees them, then this answer's field errors.
      await refreshLive()
      markFieldErrors(form, data)
      syncInvalid(document)
      if (out) { out.className = 'alert bad'; out.textContent = text; out.focus() } else flash(text, 'bad')
      return
    }
    const then = (button && button.dataset.then) || form.dataset.then || 'reload'
    if (then === 'next') {
      later(say('Facture déposée.', 'Invoice submitted.'), 'ok')
      location.href = data && data.nextDocumentId ? '/ui/to-submit/' + encodeURIComponent(data.nextDocumentId) : '/ui/to-submit'
      return
    }
    if (then === 'show-key' && data && data.key) {
      const box = document.getElementById('new-key')
      if (box) {
        box.hidden = false
        const code = box.querySelector('code')
        if (code) code.textContent = data.key
        box.focus()
        return
      }
    }
    if (then === 'show-result') {
      const box = form.querySelector('[data-role="form-message"]') || flashBox
      const text = data && Array.isArray(data.steps) ? data.steps.map((s) => (s.ok ? '✓ ' : '✗ ') + s.message).join(' · ') : (data && data.message) || say('Fait.', 'Done.')
      if (box) { box.className = 'alert ' + (data && data.ok === false ? 'bad' : 'ok'); box.textContent = text }
      later(box ? box.textContent : '', data && data.ok === false ? 'bad' : 'ok')
      setTimeout(() => location.reload(), 900)
      return
    }
    if (then === 'follow-submissions' && data && Array.isArray(data.items) && (await followSubmissions(data.items))) {
      form.querySelectorAll('input[name="ids"]:checked').forEach((b) => { if (b instanceof HTMLInputElement) b.checked = false })
      return
    }
    if (then === 'follow-scan' && (await followScan(form, startedAt))) return
    if (then === 'follow-sync' && data && data.jobId) {
      await followSync(data.jobId)
      return
    }
    if (then === 'import-report' && data && data.totals) {
      const t = data.totals
      if (!data.applied) {
        const text = say('Rien n’a été importé : ' + t.errors + ' ligne(s) à corriger sur ' + t.lines + '. Corrigez le fichier puis importez-le à nouveau.', 'Nothing was imported: ' + t.errors + ' line(s) to fix out of ' + t.lines + '. Fix the file, then import it again.')
        if (out) { out.className = 'alert bad'; out.textContent = text; out.focus() }
        showImportErrors(data.lines || [])
        return
      }
      later(say('Import terminé : ', 'Import done: ') + t.created + say(' créée(s), ', ' created, ') + t.updated + say(' mise(s) à jour, ', ' updated, ') + t.unchanged + say(' inchangée(s)', ' unchanged') + (data.recheckedDocuments ? say(' ; ' + data.recheckedDocuments + ' document(s) revérifié(s).', '; ' + data.recheckedDocuments + ' document(s) checked again.') : '.'), 'ok')
      location.reload()
      return
    }
    if (data && Array.isArray(data.items) && data.items.length && 'ok' in data.items[0]) {
      const r = batchText(data.items)
      later(r.text, r.kind)
    } else later(form.dataset.done || say('Enregistré.', 'Saved.'), 'ok')
    if (then === 'go' && form.dataset.go) location.href = form.dataset.go
    else location.reload()
  })

  /**
   * Service choices (pages/service-choice.tsx): filtered by the search box, reloaded from the directory when
   * the SIRET changes, and the engagement number required when the chosen service needs one.
   * @typedef {{ code: string, label: string | null, active: boolean, engagementRequired: boolean }} DirService
   * @typedef {{ found: boolean, active: boolean, name: string | null, serviceRequired: boolean, engagementRequired: boolean, serviceOrEngagement: boolean, services: DirService[] }} DirStructure
   */
  /** @param {HTMLElement} chooser */
  function syncEngagement(chooser) {
    const select = chooser.querySelector('select')
    const ej = document.getElementById(chooser.dataset.engagementInput || '')
    const needs = chooser.querySelector('[data-role="needs"]')
    if (!(select instanceof HTMLSelectElement) || !(ej instanceof HTMLInputElement)) return
    const option = select.selectedOptions[0]
    const required = !!(option && option.dataset.engagement === 'true')
    // Recycle refuses without it (data-enforce); Complete only says so, since saving a form half done is fine.
    if (chooser.dataset.enforce === 'true') ej.required = required
    if (required) ej.setAttribute('aria-required', 'true'); else ej.removeAttribute('aria-required')
    if (needs instanceof HTMLElement) {
      const base = needs.dataset.base !== undefined ? needs.dataset.base : (needs.dataset.base = needs.textContent || '')
      needs.textContent = (base + (required ? ' ' + say('Ce service exige un numéro d’engagement.', 'This service requires an engagement number.') : '')).trim()
    }
  }
  /** @param {DirStructure} s */
  function structureNeedsText(s) {
    const who = s.name || ''
    if (!s.found) return say('SIRET inconnu de l’annuaire Chorus Pro : vérifiez-le.', 'SIRET unknown to the Chorus Pro directory: check it.')
    if (!s.active) return say(who + ' est inactif dans Chorus Pro : il ne reçoit plus de factures.', who + ' is inactive in Chorus Pro: it no longer receives invoices.')
    if (s.serviceRequired && s.engagementRequired) return say(who + ' exige un code service et un numéro d’engagement.', who + ' requires a service code and an engagement number.')
    if (s.serviceRequired) return say(who + ' exige un code service.', who + ' requires a service code.')
    if (s.engagementRequired) return say(who + ' exige un numéro d’engagement.', who + ' requires an engagement number.')
    if (s.serviceOrEngagement) return say(who + ' exige un code service ou un numéro d’engagement.', who + ' requires a service code or an engagement number.')
    return ''
  }
  /** @param {HTMLElement} chooser @param {string} siret */
  async function reloadServices(chooser, siret) {
    const select = chooser.querySelector('select')
    const needs = chooser.querySelector('[data-role="needs"]')
    if (!(select instanceof HTMLSelectElement)) return
    const account = chooser.dataset.account ? '?accountId=' + encodeURIComponent(chooser.dataset.account) : ''
    /** @type {DirStructure} */
    let s
    try {
      s = await answerOf(await fetch(base + '/structures/' + encodeURIComponent(siret) + account, { credentials: 'same-origin' }))
    } catch (e) {
      if (needs instanceof HTMLElement) { needs.dataset.base = String((e instanceof Error && e.message) || e); needs.textContent = needs.dataset.base }
      return
    }
    const keep = select.value
    select.textContent = ''
    if (!s.serviceRequired) { const none = document.createElement('option'); none.value = ''; none.textContent = say('— Aucun service —', '— No service —'); select.appendChild(none) }
    const choices = (s.found && s.active ? s.services : []).filter((v) => v.active && v.code.toUpperCase() !== 'FACTURES_PUBLIQUES').sort((a, b) => a.code.localeCompare(b.code))
    for (const v of choices) {
      const o = document.createElement('option')
      o.value = v.code
      const engagement = s.engagementRequired || v.engagementRequired
      const name = v.label ? v.code + ' (' + v.label + ')' : v.code
      o.textContent = engagement ? name + say(' : numéro d’engagement exigé', ': engagement number required') : name
      if (engagement) o.dataset.engagement = 'true'
      if (v.code === keep) o.selected = true
      select.appendChild(o)
    }
    if (needs instanceof HTMLElement) { needs.dataset.base = structureNeedsText(s); needs.textContent = needs.dataset.base }
    syncEngagement(chooser)
  }
  /** @type {Map<HTMLElement, number>} */
  const siretTimers = new Map()
  document.addEventListener('input', (event) => {
    const target = event.target
    if (!(target instanceof HTMLInputElement)) return
    if (target.dataset.filterFor) {
      const select = document.getElementById(target.dataset.filterFor)
      const words = target.value.trim().toLowerCase()
      if (select instanceof HTMLSelectElement) for (const o of Array.from(select.options)) o.hidden = !!words && !!o.value && !o.textContent?.toLowerCase().includes(words)
      return
    }
    for (const chooser of Array.from(document.querySelectorAll('[data-service-chooser]'))) {
      if (!(chooser instanceof HTMLElement) || chooser.dataset.siretInput !== target.id) continue
      clearTimeout(siretTimers.get(chooser))
      const siret = target.value.replace(/\s/g, '')
      if (!/^\d{14}$/.test(siret)) continue
      siretTimers.set(chooser, window.setTimeout(() => void reloadServices(chooser, siret), 350))
    }
  })
  document.addEventListener('change', (event) => {
    const chooser = event.target instanceof Element ? event.target.closest('[data-service-chooser]') : null
    if (chooser instanceof HTMLElement && event.target instanceof HTMLSelectElement) syncEngagement(chooser)
  })
  for (const chooser of Array.from(document.querySelectorAll('[data-service-chooser]'))) if (chooser instanceof HTMLElement) syncEngagement(chooser)

  // Tooltips are position: fixed so that scrolling table boxes never clip them; placed under their badge.
  /** @param {Event} event */
  function placeTip(event) {
    const badge = event.target instanceof Element ? event.target.closest('.state') : null
    const tip = badge && badge.querySelector('.tip')
    if (!badge || !(tip instanceof HTMLElement)) return
    const r = badge.getBoundingClientRect()
    tip.style.left = Math.max(4, Math.min(r.left, window.innerWidth - 344)) + 'px'
    tip.style.top = r.bottom + 4 + 'px'
  }
  document.addEventListener('mouseover', placeTip)
  document.addEventListener('focusin', placeTip)

  document.addEventListener('change', (event) => {
    const all = event.target instanceof Element ? event.target.closest('[data-select-all]') : null
    if (all instanceof HTMLInputElement && all.form) {
      for (const box of all.form.querySelectorAll('input[name="ids"]')) if (box instanceof HTMLInputElement) box.checked = all.checked
    }
  })

  document.addEventListener('click', async (event) => {
    const target = event.target
    if (!(target instanceof Element)) return
    const edit = target.closest('[data-edit]')
    if (edit instanceof HTMLElement) {
      const view = document.getElementById(edit.dataset.edit + '-view')
      const form = document.getElementById(edit.dataset.edit + '-edit')
      if (!form) return
      const opening = form.hidden
      form.hidden = !opening
      if (view) view.hidden = opening
      if (opening) find(form, 'input, select')?.focus()
      else find(document, '[data-edit="' + edit.dataset.edit + '"]')?.focus()
      return
    }
    const exp = target.closest('[data-export]')
    if (exp instanceof HTMLButtonElement) {
      event.preventDefault()
      const status = document.getElementById('export-status')
      const bar = document.getElementById('export-progress')
      const link = document.getElementById('export-link')
      if (!status || !(bar instanceof HTMLProgressElement) || !(link instanceof HTMLAnchorElement)) return
      exp.disabled = true
      bar.hidden = false
      bar.value = 0
      link.hidden = true
      status.textContent = say('Export en cours…', 'Exporting…')
      try {
        const filters = JSON.parse(exp.dataset.export || '')
        /** @type {ExportJob} */
        let job = await answerOf(await fetch(base + '/exports', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(filters), credentials: 'same-origin' }))
        while (job.state === 'pending' || job.state === 'running') {
          await new Promise((r) => setTimeout(r, 400))
          job = await answerOf(await fetch(base + '/exports/' + job.id, { credentials: 'same-origin' }))
          if (job.progress != null) bar.value = job.progress
          status.textContent = say('Export en cours… ', 'Exporting… ') + job.rowsDone + (job.rowsTotal != null ? ' / ' + job.rowsTotal : '')
        }
        if (job.state !== 'done') throw new Error(job.error || job.state)
        bar.value = 1
        link.href = job.fileUrl.replace(/^\/api\/v1/, base)
        link.hidden = false
        status.textContent = say('Export prêt : ', 'Export ready: ') + job.rowsDone + say(' ligne(s).', ' row(s).')
        link.click()
      } catch (e) {
        status.textContent = String((e instanceof Error && e.message) || e)
        status.className = 'alert bad'
      } finally {
        exp.disabled = false
      }
    }
  })
})()
