// Photo check, enhanced: each photo is uploaded as its own check (two at a time) with progress,
// and its result appears as soon as it is ready. Without this script the form posts normally.
// Plain ES2020, no build step; no inline script or style (the CSP forbids them).
(() => {
  'use strict';
  const CONCURRENCY = 2;
  const form = document.getElementById('check-form');
  const csrf = form ? form.dataset.csrf : (document.querySelector('input[name="_csrf"]') || {}).value;

  /** Creates an element with attributes and children (strings become text, never HTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  function errorMessage(xhr) {
    try {
      const body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch { /* not JSON */ }
    if (xhr.status === 0) return 'The upload did not get through. Check your connection and try again.';
    if (xhr.status === 413) return 'That photo is too large.';
    return 'Something went wrong checking this photo. Please try again.';
  }

  // ---- Share sheet (phones): offered only where the browser can share files. ----
  const canShareFiles = () => {
    try {
      return typeof navigator.share === 'function' && typeof navigator.canShare === 'function'
        && navigator.canShare({ files: [new File([new Blob(['x'], { type: 'image/jpeg' })], 'x.jpg', { type: 'image/jpeg' })] });
    } catch { return false; }
  };

  async function fileFor(url, name) {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error('download failed');
    return new File([await res.blob()], name, { type: 'image/jpeg' });
  }

  async function share(items) {
    try {
      const files = await Promise.all(items.map((i) => fileFor(i.url, i.name)));
      await navigator.share({ files, title: 'Photos' });
    } catch (err) {
      if (!err || err.name !== 'AbortError') window.alert('Sharing did not work here. Use Download instead.');
    }
  }

  function enhanceCards(root) {
    const sharing = canShareFiles();
    root.querySelectorAll('[data-share]').forEach((b) => {
      if (!sharing || b.dataset.enhanced) return;
      b.dataset.enhanced = '1';
      b.hidden = false;
      b.addEventListener('click', () => share([{ url: b.dataset.share, name: b.dataset.fileName }]));
    });
    root.querySelectorAll('[data-recheck]').forEach((b) => {
      if (b.dataset.enhanced) return;
      b.dataset.enhanced = '1';
      b.addEventListener('click', () => {
        const slot = b.closest('.result-slot');
        if (slot && slot.photoFile) recheck(slot, b.dataset.recheck);
        else window.location.href = '/check?mode=' + encodeURIComponent(b.dataset.recheck);
      });
    });
  }

  enhanceCards(document);

  // A new safe copy was made (blurs added): show the new card in place of the old one.
  document.addEventListener('sharesafe:copy-changed', async (e) => {
    const slot = e.detail.card.closest('.result-slot');
    if (!slot || !form) {
      window.location.reload();
      return;
    }
    slot.refresh();
  });
  if (!form) return;

  // ---- The check page ----
  const input = document.getElementById('photos');
  const dropzone = document.getElementById('dropzone');
  const selected = document.getElementById('selected-files');
  const results = document.getElementById('results');
  const list = document.getElementById('result-list');
  const actions = document.getElementById('results-actions');
  const zipLink = document.getElementById('zip-link');
  const shareAll = document.getElementById('share-all');
  const maxBytes = Number(form.dataset.maxMb || 25) * 1024 * 1024;
  const eventField = form.querySelector('input[name="eventId"]');
  const done = []; // { checkId, url, name } per photo ready to share
  const queue = [];
  let running = 0;
  let photoNumber = 0;

  function showSelection(files) {
    selected.replaceChildren(...Array.from(files).map((f) => el('li', { text: f.name })));
  }

  input.addEventListener('change', () => showSelection(input.files));

  // Drag and drop (desktop): the dropped files become the input's files, so the form still works.
  ['dragenter', 'dragover'].forEach((t) => dropzone.addEventListener(t, (e) => {
    e.preventDefault();
    dropzone.classList.add('is-dragover');
  }));
  ['dragleave', 'drop'].forEach((t) => dropzone.addEventListener(t, () => dropzone.classList.remove('is-dragover')));
  dropzone.addEventListener('drop', (e) => {
    e.preventDefault();
    if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
    input.files = e.dataTransfer.files;
    showSelection(input.files);
  });

  function updateActions() {
    if (done.length === 0) return;
    actions.hidden = false;
    // Upload order, whatever order the results came back in.
    done.sort((a, b) => a.number - b.number);
    zipLink.href = '/api/checks/zip?ids=' + [...new Set(done.map((d) => d.checkId))].join(',');
    zipLink.textContent = done.length === 1 ? 'Download (zip)' : `Download all ${done.length} (zip)`;
    shareAll.hidden = !canShareFiles();
  }
  shareAll.addEventListener('click', () => share(done.map((d) => ({ url: d.url, name: d.name }))));

  function pendingCard(slot) {
    const bar = el('progress', { max: '100', value: '0', 'aria-label': `Upload progress for ${slot.photoFile.name}` });
    const status = el('span', { class: 'status', text: 'Waiting…' });
    const card = el('article', { class: 'card photo-result pending' },
      el('div', { class: 'photo-result-head' }, el('h3', { text: `Photo ${slot.number}` }), el('span', { class: 'badge badge-neutral', text: 'In progress' })),
      el('div', { class: 'progress-row' }, el('span', { class: 'name', text: slot.photoFile.name }), status, bar));
    slot.replaceChildren(card);
    return { bar, status };
  }

  function failedCard(slot, message) {
    const retry = el('button', { type: 'button', class: 'button button-secondary', text: 'Try again' });
    retry.addEventListener('click', () => enqueue(slot));
    slot.replaceChildren(el('article', { class: 'card photo-result' },
      el('div', { class: 'photo-result-head' }, el('h3', { text: `Photo ${slot.number}` }), el('span', { class: 'badge badge-bad', text: 'Not checked' })),
      el('p', { class: 'muted', text: slot.photoFile.name }),
      el('div', { class: 'alert alert-error', role: 'alert' }, el('p', { text: message })),
      el('p', { class: 'actions' }, retry)));
  }

  async function showResult(slot, checkId) {
    const res = await fetch(`/checks/${encodeURIComponent(checkId)}/card?n=${slot.number - 1}`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error('The result could not be shown. Reload the page.');
    // Same-origin HTML rendered (and escaped) by the server: the one renderer for results.
    slot.innerHTML = await res.text();
    slot.querySelectorAll('.photo-result').forEach((card) => {
      card.querySelector('.photo-result-head').after(el('p', { class: 'muted small', text: `From ${slot.photoFile.name}` }));
      const download = card.querySelector('[data-share]');
      if (download) done.push({ checkId, number: slot.number, url: download.dataset.share, name: download.dataset.fileName });
    });
    slot.refresh = async () => {
      for (let i = done.length - 1; i >= 0; i -= 1) if (done[i].checkId === checkId) done.splice(i, 1);
      await showResult(slot, checkId);
      const heading = slot.querySelector('h3');
      if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
    };
    enhanceCards(slot);
    updateActions();
  }

  function upload(slot) {
    return new Promise((resolve) => {
      const ui = pendingCard(slot);
      const data = new FormData();
      data.append('photos', slot.photoFile, slot.photoFile.name);
      data.append('mode', slot.mode);
      if (eventField) data.append('eventId', eventField.value);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/checks');
      xhr.setRequestHeader('x-csrf-token', csrf);
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.addEventListener('progress', (e) => {
        if (!e.lengthComputable) return;
        const pct = Math.round((e.loaded / e.total) * 100);
        ui.bar.value = pct;
        ui.status.textContent = `Uploading… ${pct}%`;
      });
      xhr.upload.addEventListener('load', () => {
        ui.bar.removeAttribute('value'); // indeterminate while the faces are checked
        ui.status.replaceChildren(el('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Checking faces…');
      });
      xhr.addEventListener('loadend', async () => {
        try {
          if (xhr.status !== 201) throw new Error(errorMessage(xhr));
          await showResult(slot, JSON.parse(xhr.responseText).id);
        } catch (err) {
          failedCard(slot, err.message);
        }
        resolve();
      });
      xhr.send(data);
    });
  }

  function pump() {
    while (running < CONCURRENCY && queue.length > 0) {
      const slot = queue.shift();
      running += 1;
      upload(slot).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  function enqueue(slot) {
    if (slot.photoFile.size > maxBytes) {
      failedCard(slot, `This photo is larger than ${form.dataset.maxMb} MB. Choose a smaller one.`);
      return;
    }
    slot.replaceChildren(el('article', { class: 'card photo-result pending' }, el('p', { class: 'status', text: `${slot.photoFile.name}: waiting…` })));
    queue.push(slot);
    pump();
  }

  function recheck(slot, mode) {
    const index = done.findIndex((d) => slot.contains(document.querySelector(`[data-share="${CSS.escape(d.url)}"]`)));
    if (index >= 0) done.splice(index, 1);
    updateActions(); // the zip must not offer the copy being replaced
    slot.mode = mode;
    enqueue(slot);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const files = Array.from(input.files || []);
    if (files.length === 0) {
      input.focus();
      return;
    }
    const mode = (form.querySelector('input[name="mode"]:checked') || { value: 'standard' }).value;
    results.hidden = false;
    for (const file of files) {
      photoNumber += 1;
      const slot = el('div', { class: 'result-slot' });
      slot.photoFile = file;
      slot.number = photoNumber;
      slot.mode = mode;
      list.append(slot);
      enqueue(slot);
    }
    form.reset();
    selected.replaceChildren(el('li', { text: `${files.length} ${files.length === 1 ? 'photo' : 'photos'} added below. You can choose more.` }));
    const heading = results.querySelector('h2');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  });
})();
