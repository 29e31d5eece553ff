// Small progressive enhancements shared by every page (plain ES2020, no build step).
document.documentElement.classList.add('has-js');

// A form's submit button is disabled while the form posts, so a double tap does not send it twice.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.noDisable !== undefined) return;
  const button = form.querySelector('button[type="submit"], button:not([type])');
  // A script that handles the submit itself (the photo check) calls preventDefault: leave it enabled.
  if (button) setTimeout(() => { if (!event.defaultPrevented) button.disabled = true; }, 0);
});

// Coming back with the browser's Back button restores the page as it was: enable buttons again.
window.addEventListener('pageshow', () => {
  document.querySelectorAll('form button[disabled]').forEach((b) => { if (!b.hasAttribute('data-keep-disabled')) b.disabled = false; });
});
