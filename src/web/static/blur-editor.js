// "Add a blur": the parent draws rectangles or ellipses over anything the checker missed, by
// touch, mouse or keyboard; the server applies them to a new safe copy (never the browser alone).
// Plain ES2020, no build step; no inline script or style (the CSP forbids them): positions are
// set through the CSSOM, which the CSP allows.
(() => {
  'use strict';
  const STEP = 0.01; // of the photo's width/height per arrow key press (Shift: resize)
  const MIN = 0.02;
  const csrfOf = () => {
    const form = document.getElementById('check-form');
    return form ? form.dataset.csrf : (document.querySelector('input[name="_csrf"]') || {}).value;
  };

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

  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  function open(box) {
    if (box.dataset.open) return;
    box.dataset.open = '1';
    const card = box.closest('.photo-result');
    const frame = card.querySelector('.figure-frame');
    const startButton = box.querySelector('[data-edit-blurs]');
    startButton.hidden = true;
    const masks = []; // { x, y, w, h, node } in fractions of the photo
    const layer = el('div', { class: 'mask-layer', 'aria-hidden': 'false' });
    frame.append(layer);
    frame.classList.add('is-editing');

    const shapeName = `shape-${box.dataset.checkId}-${box.dataset.photoIndex}`;
    const radio = (value, label, checked) => el('div', { class: 'choice' },
      Object.assign(el('input', { type: 'radio', name: shapeName, id: `${shapeName}-${value}`, value }), { checked }),
      el('label', { for: `${shapeName}-${value}`, text: label }));
    const styleId = `style-${box.dataset.checkId}-${box.dataset.photoIndex}`;
    const style = el('select', { id: styleId },
      el('option', { value: 'pixelate', text: 'Pixelate' }), el('option', { value: 'solid', text: 'Solid colour' }), el('option', { value: 'sticker', text: 'Smiley sticker' }));
    style.value = box.dataset.cover || 'pixelate';
    const status = el('p', { class: 'small', role: 'status' });
    const add = el('button', { type: 'button', class: 'button button-secondary', text: 'Add a blur in the middle' });
    const apply = el('button', { type: 'button', class: 'button', text: 'Apply blurs' });
    const cancel = el('button', { type: 'button', class: 'button button-secondary', text: 'Cancel' });
    const panel = el('div', { class: 'blur-panel' },
      el('p', { class: 'small', text: 'Tap the photo where a blur should go, or add one in the middle. Drag a blur to move it and its corner to resize it. With a keyboard: arrow keys move the selected blur, Shift and arrow keys resize it, Delete removes it.' }),
      el('fieldset', {}, el('legend', { text: 'Shape' }), radio('rect', 'Rectangle', true), radio('ellipse', 'Ellipse', false)),
      el('div', { class: 'field' }, el('label', { for: styleId, text: 'How to cover' }), style),
      el('p', { class: 'actions' }, add, apply, cancel), status);
    box.append(panel);

    const shape = () => (panel.querySelector(`input[name="${shapeName}"]:checked`) || { value: 'rect' }).value;
    const announce = () => { status.textContent = masks.length === 0 ? 'No blurs added yet.' : `${masks.length} ${masks.length === 1 ? 'blur' : 'blurs'} to apply.`; };

    function place(m) {
      m.node.style.left = `${m.x * 100}%`;
      m.node.style.top = `${m.y * 100}%`;
      m.node.style.width = `${m.w * 100}%`;
      m.node.style.height = `${m.h * 100}%`;
    }

    function addMask(cx, cy) {
      const w = 0.18;
      const h = w * (Number(box.dataset.width) / Number(box.dataset.height));
      const m = { shape: shape(), x: clamp(cx - w / 2, 0, 1 - w), y: clamp(cy - h / 2, 0, 1 - Math.min(h, 1)), w, h: Math.min(h, 1) };
      m.node = el('div', {
        class: `mask mask-${m.shape}`, tabindex: '0', role: 'button',
        'aria-label': `Blur ${masks.length + 1}. Arrow keys move it, Shift and arrow keys resize it, Delete removes it.`,
      }, el('span', { class: 'mask-handle', 'aria-hidden': 'true' }));
      masks.push(m);
      place(m);
      layer.append(m.node);
      wire(m);
      m.node.focus();
      announce();
    }

    function remove(m) {
      masks.splice(masks.indexOf(m), 1);
      m.node.remove();
      announce();
    }

    function wire(m) {
      m.node.addEventListener('keydown', (e) => {
        const dx = e.key === 'ArrowRight' ? STEP : e.key === 'ArrowLeft' ? -STEP : 0;
        const dy = e.key === 'ArrowDown' ? STEP : e.key === 'ArrowUp' ? -STEP : 0;
        if (e.key === 'Delete' || e.key === 'Backspace') {
          e.preventDefault();
          remove(m);
          (layer.querySelector('.mask') || add).focus();
          return;
        }
        if (!dx && !dy) return;
        e.preventDefault();
        if (e.shiftKey) {
          m.w = clamp(m.w + dx, MIN, 1 - m.x);
          m.h = clamp(m.h + dy, MIN, 1 - m.y);
        } else {
          m.x = clamp(m.x + dx, 0, 1 - m.w);
          m.y = clamp(m.y + dy, 0, 1 - m.h);
        }
        place(m);
      });
      m.node.addEventListener('pointerdown', (e) => {
        e.preventDefault();
        e.stopPropagation();
        m.node.focus();
        const resizing = e.target.classList.contains('mask-handle');
        const rect = layer.getBoundingClientRect();
        const start = { px: e.clientX, py: e.clientY, x: m.x, y: m.y, w: m.w, h: m.h };
        m.node.setPointerCapture(e.pointerId);
        const move = (ev) => {
          const dx = (ev.clientX - start.px) / rect.width;
          const dy = (ev.clientY - start.py) / rect.height;
          if (resizing) {
            m.w = clamp(start.w + dx, MIN, 1 - m.x);
            m.h = clamp(start.h + dy, MIN, 1 - m.y);
          } else {
            m.x = clamp(start.x + dx, 0, 1 - m.w);
            m.y = clamp(start.y + dy, 0, 1 - m.h);
          }
          place(m);
        };
        const up = () => {
          m.node.removeEventListener('pointermove', move);
          m.node.removeEventListener('pointerup', up);
          m.node.removeEventListener('pointercancel', up);
        };
        m.node.addEventListener('pointermove', move);
        m.node.addEventListener('pointerup', up);
        m.node.addEventListener('pointercancel', up);
      });
    }

    // A tap (or click) on the photo adds a blur there.
    layer.addEventListener('pointerdown', (e) => {
      if (e.target !== layer) return;
      e.preventDefault();
      const rect = layer.getBoundingClientRect();
      addMask((e.clientX - rect.left) / rect.width, (e.clientY - rect.top) / rect.height);
    });
    add.addEventListener('click', () => addMask(0.5, 0.5));

    function close() {
      layer.remove();
      panel.remove();
      frame.classList.remove('is-editing');
      startButton.hidden = false;
      delete box.dataset.open;
      startButton.focus();
    }
    cancel.addEventListener('click', close);

    apply.addEventListener('click', async () => {
      if (masks.length === 0) {
        status.textContent = 'Add a blur first: tap the photo where it should go.';
        return;
      }
      const W = Number(box.dataset.width);
      const H = Number(box.dataset.height);
      const body = {
        style: style.value,
        masks: masks.map((m) => ({ shape: m.shape, x: Math.round(m.x * W), y: Math.round(m.y * H), width: Math.round(m.w * W), height: Math.round(m.h * H) })),
      };
      apply.disabled = true;
      status.textContent = 'Making a new safe copy…';
      try {
        const res = await fetch(`/api/checks/${encodeURIComponent(box.dataset.checkId)}/photos/${box.dataset.photoIndex}/masks`, {
          method: 'POST', credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfOf() },
          body: JSON.stringify(body),
        });
        if (!res.ok) {
          let message = 'The blurs could not be applied. Please try again.';
          try { message = (await res.json()).error.message || message; } catch { /* not JSON */ }
          throw new Error(message);
        }
        document.dispatchEvent(new CustomEvent('sharesafe:copy-changed', { detail: { card, checkId: box.dataset.checkId } }));
      } catch (err) {
        status.textContent = err.message;
        apply.disabled = false;
      }
    });
    announce();
  }

  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('[data-edit-blurs]') : null;
    if (button) open(button.closest('.blur-more'));
  });
})();
