import { createHash } from 'node:crypto'

/**
 * The pages' own CSS and JS: small, served by us (no CDN, no build step), allowed by a CSP that
 * permits nothing inline. Colours are chosen for WCAG AA contrast on white (4.5:1 or more).
 */
export const UI_CSS = `
:root { --fg:#1b1f24; --muted:#4a5360; --bg:#fff; --soft:#f3f5f8; --line:#cfd5dd; --primary:#0b4fa3; --primary-fg:#fff;
  --ok:#0f6b2f; --ok-bg:#e3f4e8; --bad:#a8201a; --bad-bg:#fbe7e6; --warn:#7a4b00; --warn-bg:#fff3d6; --focus:#e07b00; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); line-height: 1.45; }
a { color: var(--primary); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px 10px; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 8px 16px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .brand { font-weight: 700; margin-right: auto; }
nav.tabs ul { list-style: none; margin: 0; padding: 0 16px; display: flex; flex-wrap: wrap; gap: 4px; border-bottom: 1px solid var(--line); }
nav.tabs a { display: block; padding: 10px 14px; text-decoration: none; color: var(--fg); border-bottom: 3px solid transparent; font-weight: 500; }
nav.tabs a[aria-current="page"] { border-bottom-color: var(--primary); color: var(--primary); font-weight: 700; }
nav.tabs a:hover { background: var(--soft); }
.langs a, .langs span { margin-left: 6px; }
.langs [aria-current="true"] { font-weight: 700; }
.role { color: var(--muted); font-size: .9rem; }
main { padding: 16px; max-width: 1400px; }
h1 { font-size: 1.4rem; margin: 4px 0 8px; }
h2 { font-size: 1.15rem; margin: 24px 0 8px; }
h3 { font-size: 1rem; margin: 12px 0 6px; }
p.intro { color: var(--muted); margin-top: 0; }
.table-wrap { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
.break { overflow-wrap: anywhere; }
button, .button { font: inherit; padding: 7px 13px; border-radius: 5px; border: 1px solid var(--primary); background: var(--primary); color: var(--primary-fg); cursor: pointer; text-decoration: none; display: inline-block; line-height: 1.2; }
button.secondary, .button.secondary { background: #fff; color: var(--primary); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button[disabled] { opacity: .55; cursor: not-allowed; }
button.small { padding: 4px 9px; font-size: .9rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 10px 0; }
label { font-weight: 500; }
input[type=text], input[type=search], input[type=url], input[type=password], input[type=date], input[type=file], select, textarea {
  font: inherit; padding: 6px 8px; border: 1px solid #8a94a3; border-radius: 4px; background: #fff; color: var(--fg); max-width: 100%; }
textarea { width: 100%; min-height: 4em; }
.field { display: flex; flex-direction: column; gap: 3px; margin-bottom: 10px; }
.field .hint { color: var(--muted); font-size: .88rem; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: flex-end; padding: 10px; background: var(--soft); border-radius: 6px; margin-bottom: 10px; }
.filters .field { margin: 0; }
.state { display: inline-flex; align-items: center; gap: 6px; position: relative; cursor: help; border-radius: 12px; padding: 2px 9px 2px 4px; font-weight: 600; font-size: .9rem; white-space: nowrap; }
.state .dot { width: 14px; height: 14px; border-radius: 50%; display: inline-block; }
.state.ok { color: var(--ok); background: var(--ok-bg); } .state.ok .dot { background: var(--ok); }
.state.bad { color: var(--bad); background: var(--bad-bg); } .state.bad .dot { background: var(--bad); }
.state.wait { color: var(--warn); background: var(--warn-bg); } .state.wait .dot { background: var(--warn); }
.state .tip { display: none; position: fixed; z-index: 5; width: max-content; max-width: min(340px, 70vw); white-space: normal;
  background: #1b1f24; color: #fff; font-weight: 400; padding: 7px 9px; border-radius: 5px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.state:hover .tip, .state:focus .tip, .state:focus-within .tip { display: block; }
.tip ul { margin: 0; padding-left: 18px; }
.complete-grid { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
.pdf-frame { width: 100%; height: 78vh; min-height: 420px; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); }
.form-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 14px; }
.origin { font-size: .85rem; color: var(--muted); }
.origin b { color: var(--fg); font-weight: 600; }
.problem { color: var(--bad); font-size: .9rem; font-weight: 500; }
.field.has-problem input { border-color: var(--bad); border-width: 2px; }
.alert { padding: 9px 12px; border-radius: 6px; margin: 8px 0; }
.alert.bad { background: var(--bad-bg); color: var(--bad); border: 1px solid var(--bad); }
.alert.ok { background: var(--ok-bg); color: var(--ok); border: 1px solid var(--ok); }
.alert:empty { display: none; }
.groups section { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 12px; margin-bottom: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
.card h3 { margin-top: 0; }
details.action { margin-top: 6px; }
details.action summary { cursor: pointer; color: var(--primary); font-weight: 600; padding: 4px 0; }
.inline-form { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; }
.inline-form .field { margin: 0; }
.track-layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
.track-layout.with-panel { grid-template-columns: minmax(0, 1fr) minmax(240px, 300px); }
aside.panel { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: #fff; }
aside.panel ol { padding-left: 18px; margin: 0; }
aside.panel li { margin-bottom: 8px; }
.muted { color: var(--muted); }
form.inline { display: inline; }
fieldset.field { border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px; }
fieldset.field label { font-weight: 400; }
.pager { display: flex; gap: 10px; align-items: center; margin: 10px 0; }
progress { width: 260px; height: 18px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; background: var(--soft); border: 1px solid var(--line); font-size: .85rem; white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok); border-color: var(--ok); }
.badge.bad { background: var(--bad-bg); color: var(--bad); border-color: var(--bad); }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); border: 0; }
code.key { display: inline-block; padding: 4px 6px; background: var(--soft); border: 1px solid var(--line); overflow-wrap: anywhere; }
@media (max-width: 1100px) {
  .complete-grid { grid-template-columns: minmax(0, 1fr); }
  .pdf-frame { height: 60vh; }
  .track-layout.with-panel { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 820px) {
  main { padding: 10px; }
  .form-grid { grid-template-columns: minmax(0, 1fr); }
  th, td { padding: 6px 6px; }
  .hide-narrow { display: none; }
}
`

export const UI_JS = `
(() => {
  'use strict'
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || ''
  const base = document.querySelector('meta[name="api-base"]')?.getAttribute('content') || '/ui/api/v1'
  const en = document.documentElement.lang === 'en'
  const say = (fr, e) => (en ? e : fr)
  const flashBox = document.getElementById('flash')
  function flash(message, kind) {
    if (!flashBox) return
    flashBox.className = 'alert ' + (kind === 'bad' ? 'bad' : 'ok')
    flashBox.textContent = message
  }
  try {
    const kept = sessionStorage.getItem('ui-flash')
    if (kept) { sessionStorage.removeItem('ui-flash'); const f = JSON.parse(kept); flash(f.message, f.kind) }
  } catch {}
  function later(message, kind) { try { sessionStorage.setItem('ui-flash', JSON.stringify({ message, kind })) } catch {} }

  function setPath(obj, path, value) {
    const parts = path.split('.')
    let o = obj
    for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]] = o[parts[i]] || {}
    o[parts[parts.length - 1]] = value
  }
  function formJson(form) {
    const out = {}
    const changedOnly = form.dataset.changedOnly === 'true'
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.name === '_csrf' || el.type === 'submit' || el.type === 'button' || el.type === 'file') continue
      const type = el.dataset.type || ''
      if (el.type === 'checkbox') {
        if (type === 'boolean') { if (!changedOnly || el.checked !== el.defaultChecked) setPath(out, el.name, el.checked); continue }
        if (el.checked) { out[el.name] = out[el.name] || []; out[el.name].push(el.value) }
        continue
      }
      if (el.type === 'radio') { if (el.checked) setPath(out, el.name, el.value); continue }
      if (el.tagName === 'SELECT' && el.multiple) { setPath(out, el.name, Array.from(el.selectedOptions).map((o) => o.value)); continue }
      if (changedOnly && el.tagName !== 'SELECT' && el.value === el.defaultValue) continue
      let v = el.value
      if (v === '') { if (el.dataset.empty === 'null') v = null; else continue }
      if (type === 'number' && v !== null) v = Number(v)
      if (type === 'boolean') v = v === 'true'
      setPath(out, el.name, v)
    }
    return out
  }
  function errorText(data, status) {
    const e = data && data.error
    if (!e) return say('Erreur ', 'Error ') + status
    let text = e.message || e.code
    if (Array.isArray(e.details)) text += ' ' + e.details.map((d) => (d.field ? d.field + ' : ' : '') + (d.message || '')).join(' ; ')
    else if (e.details && e.details.raw && e.details.raw.libelle) text += ' (Chorus Pro : ' + e.details.raw.libelle + ')'
    return text
  }
  function batchText(items) {
    const ok = items.filter((i) => i.ok).length
    const bad = items.filter((i) => !i.ok)
    let text = say(ok + ' document(s) traité(s).', ok + ' document(s) done.')
    if (bad.length) text += ' ' + say(bad.length + ' refusé(s) : ', bad.length + ' refused: ') + bad.map((i) => '#' + i.id + ' ' + (i.message || i.code || '')).join(' ; ')
    return { text, kind: bad.length ? 'bad' : 'ok' }
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target
    const button = event.submitter
    const spec = (button && button.dataset.api) || form.dataset.api
    if (!spec) return
    event.preventDefault()
    const question = (button && button.dataset.confirm) || form.dataset.confirm
    const out = form.querySelector('[data-role="form-message"]')
    if (out) { out.textContent = ''; out.className = 'alert' }
    if (form.dataset.needsSelection && !form.querySelector('input[name="ids"]:checked')) {
      if (out) { out.className = 'alert bad'; out.textContent = form.dataset.needsSelection }
      return
    }
    if (question && !window.confirm(question)) return
    const [method, path] = spec.split(' ')
    const headers = { 'x-csrf-token': csrf, accept: 'application/json' }
    let body
    if (form.dataset.encoding === 'multipart') { body = new FormData(form); body.delete('_csrf') }
    else if (method !== 'DELETE' && !(button && button.dataset.noBody)) { headers['content-type'] = 'application/json'; body = JSON.stringify(formJson(form)) }
    const buttons = form.querySelectorAll('button')
    buttons.forEach((b) => (b.disabled = true))
    form.setAttribute('aria-busy', 'true')
    let res, data
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
      if (box) { box.hidden = false; box.querySelector('code').textContent = data.key; box.focus(); return }
    }
    if (then === 'show-result') {
      const box = form.querySelector('[data-role="form-message"]') || flashBox
      const text = data && Array.isArray(data.steps) ? data.steps.map((s) => (s.ok ? '✓ ' : '✗ ') + s.message).join(' · ') : (data && data.message) || say('Fait.', 'Done.')
      if (box) { box.className = 'alert ' + (data && data.ok === false ? 'bad' : 'ok'); box.textContent = text }
      later(box ? box.textContent : '', data && data.ok === false ? 'bad' : 'ok')
      setTimeout(() => location.reload(), 900)
      return
    }
    if (data && Array.isArray(data.items) && data.items.length && 'ok' in data.items[0]) {
      const r = batchText(data.items)
      later(r.text, r.kind)
    } else if (data && typeof data.created === 'number') {
      later(say('Import : ', 'Import: ') + JSON.stringify({ created: data.created, updated: data.updated, errors: (data.errors || []).length }), 'ok')
    } else later(form.dataset.done || say('Enregistré.', 'Saved.'), 'ok')
    if (then === 'go' && form.dataset.go) location.href = form.dataset.go
    else location.reload()
  })

  // Tooltips are position: fixed so that scrolling table boxes never clip them; placed under their badge.
  function placeTip(event) {
    const badge = event.target.closest && event.target.closest('.state')
    const tip = badge && badge.querySelector('.tip')
    if (!tip) return
    const r = badge.getBoundingClientRect()
    tip.style.left = Math.max(4, Math.min(r.left, window.innerWidth - 344)) + 'px'
    tip.style.top = r.bottom + 4 + 'px'
  }
  document.addEventListener('mouseover', placeTip)
  document.addEventListener('focusin', placeTip)

  document.addEventListener('change', (event) => {
    const all = event.target.closest('[data-select-all]')
    if (all) for (const box of all.form.querySelectorAll('input[name="ids"]')) box.checked = all.checked
  })

  document.addEventListener('click', async (event) => {
    const edit = event.target.closest('[data-edit]')
    if (edit) {
      const view = document.getElementById(edit.dataset.edit + '-view')
      const form = document.getElementById(edit.dataset.edit + '-edit')
      const opening = form.hidden
      form.hidden = !opening
      if (view) view.hidden = opening
      if (opening) form.querySelector('input, select')?.focus()
      else document.querySelector('[data-edit="' + edit.dataset.edit + '"]')?.focus()
      return
    }
    const exp = event.target.closest('[data-export]')
    if (exp) {
      event.preventDefault()
      const status = document.getElementById('export-status')
      const bar = document.getElementById('export-progress')
      const link = document.getElementById('export-link')
      exp.disabled = true
      bar.hidden = false
      bar.value = 0
      link.hidden = true
      status.textContent = say('Export en cours…', 'Exporting…')
      try {
        const filters = JSON.parse(exp.dataset.export)
        let res = await fetch(base + '/exports', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(filters), credentials: 'same-origin' })
        let job = await res.json()
        if (!res.ok) throw new Error(errorText(job, res.status))
        while (job.state === 'pending' || job.state === 'running') {
          await new Promise((r) => setTimeout(r, 400))
          res = await fetch(base + '/exports/' + job.id, { credentials: 'same-origin' })
          job = await res.json()
          if (!res.ok) throw new Error(errorText(job, res.status))
          if (job.progress != null) bar.value = job.progress
          status.textContent = say('Export en cours… ', 'Exporting… ') + job.rowsDone + (job.rowsTotal != null ? ' / ' + job.rowsTotal : '')
        }
        if (job.state !== 'done') throw new Error(job.error || job.state)
        bar.value = 1
        link.href = job.fileUrl.replace(/^\\/api\\/v1/, base)
        link.hidden = false
        status.textContent = say('Export prêt : ', 'Export ready: ') + job.rowsDone + say(' ligne(s).', ' row(s).')
        link.click()
      } catch (e) {
        status.textContent = String(e.message || e)
        status.className = 'alert bad'
      } finally {
        exp.disabled = false
      }
    }
  })
})()
`

export const UI_CSS_VERSION = createHash('sha256').update(UI_CSS).digest('hex').slice(0, 10)
export const UI_JS_VERSION = createHash('sha256').update(UI_JS).digest('hex').slice(0, 10)
