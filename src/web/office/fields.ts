import { html, type SafeHtml } from '../html';
import type { FormState } from './shared';

// Form controls with their label, hint and inline error, wired for screen readers
// (aria-describedby, aria-invalid). `form` is the state to re-render after a refusal.

interface FieldOpts {
  form: FormState;
  name: string;
  label: string;
  /** Element id prefix, so two forms on one page can have fields with the same name. */
  idPrefix?: string;
  hint?: string;
  required?: boolean;
  /** Marks the label "(optional)". */
  optional?: boolean;
}

const ids = (o: FieldOpts) => {
  const id = `${o.idPrefix ?? 'f'}-${o.name}`;
  return { id, hintId: `${id}-hint`, errorId: `${id}-error` };
};

function wrap(o: FieldOpts, control: SafeHtml): SafeHtml {
  const { id, hintId, errorId } = ids(o);
  const error = o.form.errors[o.name];
  return html`<div class="field${error ? ' field-invalid' : ''}">
<label for="${id}">${o.label}${o.optional ? html` <span class="optional">(optional)</span>` : null}</label>
${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : null}
${error ? html`<p class="field-error" id="${errorId}">${error}</p>` : null}
${control}
</div>`;
}

function describedBy(o: FieldOpts): SafeHtml {
  const { hintId, errorId } = ids(o);
  const parts = [o.hint ? hintId : null, o.form.errors[o.name] ? errorId : null].filter(Boolean).join(' ');
  return html`${parts ? html` aria-describedby="${parts}"` : null}${o.form.errors[o.name] ? html` aria-invalid="true"` : null}`;
}

export function textField(o: FieldOpts & { type?: 'text' | 'email' | 'date' | 'search'; autocomplete?: string; max?: number }): SafeHtml {
  const { id } = ids(o);
  return wrap(o, html`<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.form.values[o.name] ?? ''}"${o.required ? html` required` : null}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : null}${o.max ? html` maxlength="${o.max}"` : null}${describedBy(o)}>`);
}

export function textArea(o: FieldOpts): SafeHtml {
  const { id } = ids(o);
  return wrap(o, html`<textarea id="${id}" name="${o.name}" rows="2"${describedBy(o)}>${o.form.values[o.name] ?? ''}</textarea>`);
}

export function selectField(o: FieldOpts & { options: Array<[value: string, label: string]> }): SafeHtml {
  const { id } = ids(o);
  const current = o.form.values[o.name] ?? '';
  return wrap(o, html`<select id="${id}" name="${o.name}"${describedBy(o)}>
${o.options.map(([v, label]) => html`<option value="${v}"${v === current ? html` selected` : null}>${label}</option>`)}
</select>`);
}

export function radioGroup(o: FieldOpts & { options: Array<[value: string, label: string]> }): SafeHtml {
  const { id, errorId } = ids(o);
  const current = o.form.values[o.name] ?? '';
  const error = o.form.errors[o.name];
  return html`<fieldset class="field radios${error ? ' field-invalid' : ''}"><legend>${o.label}</legend>
${error ? html`<p class="field-error" id="${errorId}">${error}</p>` : null}
${o.options.map(([v, label]) => html`<div class="choice"><input type="radio" id="${id}-${v}" name="${o.name}" value="${v}"${v === current ? html` checked` : null}><label for="${id}-${v}">${label}</label></div>`)}
</fieldset>`;
}

export function checkbox(o: FieldOpts): SafeHtml {
  const { id } = ids(o);
  const checked = ['on', 'yes', 'true'].includes(o.form.values[o.name] ?? '');
  return html`<div class="choice"><input type="checkbox" id="${id}" name="${o.name}" value="yes"${checked ? html` checked` : null}><label for="${id}">${o.label}</label></div>`;
}

/** The whole-form error (a service refusal such as "another pupil already has that UPN"). */
export const formError = (form: FormState): SafeHtml | null =>
  form.errors[''] ? html`<div class="alert alert-error" role="alert">${form.errors['']}</div>` : null;

/** Summary of field problems at the top of a form, as GOV.UK forms do. */
export function errorSummary(form: FormState): SafeHtml | null {
  const fieldErrors = Object.entries(form.errors).filter(([k]) => k !== '');
  if (fieldErrors.length === 0) return formError(form);
  return html`<div class="alert alert-error" role="alert"><p><strong>Please correct the highlighted ${fieldErrors.length === 1 ? 'field' : 'fields'}.</strong></p>
${form.errors[''] ? html`<p>${form.errors['']}</p>` : null}</div>`;
}
